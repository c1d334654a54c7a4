from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .forms import AdminLoginForm, LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(form_class=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("org/", include("branches.urls")),
    path("improvement/", include("improvement.urls")),
    path("reminders/", include("reminders.urls")),
    path("", include("scoring.urls")),
]
# Nothing is served at MEDIA_URL, even under DEBUG: every uploaded file (evidence, slip
# sheets with plain codes) goes out through its permission-checked view only.

# A database that cannot be reached gets the 503 "try again" page (docs/nonfunctional.md §7).
handler500 = "starrating.error_pages.server_error"

admin.site.site_header = "星级评定 · 管理"
admin.site.site_title = "星级评定"
admin.site.login_form = AdminLoginForm

handler400 = "starrating.views.bad_request"
