"""What a browser would post back from a rendered page: the fields of one of its forms."""

from html.parser import HTMLParser

IGNORED_INPUTS = {"submit", "button", "file", "image", "reset"}


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._form = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
            return
        if self._form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in IGNORED_INPUTS:
                return
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                return
            self._form[name] = attrs.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "textarea":
            self._textarea = name
            self._form[name] = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._form[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that opens a textarea's content.
            value = self._form[self._textarea]
            self._form[self._textarea] = value[1:] if value.startswith("\n") else value
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_data(response, having: str, **changes) -> dict[str, str]:
    """The fields of the page's form that has a field `having`, as a browser submits them
    (checked radios only, textareas' text), with `changes` typed over them."""
    parser = _Forms()
    parser.feed(response.content.decode())
    for fields in parser.forms:
        if having in fields:
            return {**fields, **changes}
    raise AssertionError(f"no form with a field {having!r} on the page")
