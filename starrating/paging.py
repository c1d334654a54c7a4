"""Pages of long sorted lists that sort on the keys alone (docs/nonfunctional.md §7, D-7pb).

A list page sorts every row of the campaign to show 50. Sorting the full rows — each
joined with its branch, parent, parts and rating, every column selected — cost most of
the page's SQL (the dashboard's ranking: 160 ms of 440 at 5,000 branches). Here the
database sorts and cuts the primary keys alone (the joins the order and the filters
need, one narrow column), then the page's rows are loaded by key, with the related rows
the queryset asks for (its `select_related` and deferred fields), in the keys' order.
One query more, whatever the list's length; the result is the queryset's page exactly.
"""

from django.core.paginator import Paginator


def load_keys(queryset, keys, *, annotated=False):
    """The rows of `queryset` whose primary keys are `keys`, in that order, loaded as
    `queryset` loads them (its `select_related` and deferred fields), selected by key
    alone (not through its filters and joins again) — unless `annotated`: then through
    `queryset` itself, for the annotations its rows carry (they may need its joins)."""
    keys = list(keys)
    if not keys:
        return []
    if annotated:
        fetch = queryset.filter(pk__in=keys).order_by()
    else:
        fetch = queryset.model._base_manager.filter(pk__in=keys).order_by()
        fetch.query.select_related = queryset.query.select_related
        fetch.query.deferred_loading = queryset.query.deferred_loading
    by_key = {row.pk: row for row in fetch}
    return [by_key[key] for key in keys if key in by_key]


class KeysPaginator(Paginator):
    """A `Paginator` over a sorted queryset whose pages are read keys first (see the
    module). `count`, when the caller has counted the rows already, saves the COUNT;
    `annotated` keeps the rows' annotations (`load_keys`)."""

    def __init__(self, object_list, per_page, *, count=None, annotated=False, **options):
        super().__init__(object_list, per_page, **options)
        self.annotated = annotated
        if count is not None:
            self.count = count  # a cached_property: set, it is never queried

    def bounds(self, number) -> tuple[int, int, int]:
        """(the valid page number, its first row, the row after its last), as
        `Paginator.page` cuts them."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return number, bottom, top

    def page(self, number):
        number, bottom, top = self.bounds(number)
        keys = self.object_list.values_list("pk", flat=True)[bottom:top]
        return self._get_page(self._rows(keys), number, self)

    def _rows(self, keys):
        return load_keys(self.object_list, keys, annotated=self.annotated)


class PartsPaginator(KeysPaginator):
    """A `KeysPaginator` over a list sorted as parts one after the other whose lengths are
    known, each part a queryset in its own order (the dashboard's ranking: the rated
    branches by score, which the ratings' score index serves, then the others by code).
    Each page's keys are cut from the parts it spans, a query a part, instead of sorting
    the whole list; the pages are the list's exactly when the parts are its rows in its
    order and the lengths are theirs. `parts` is [(queryset, length), …]."""

    def __init__(self, object_list, per_page, *, parts, **options):
        super().__init__(object_list, per_page, count=sum(n for _part, n in parts), **options)
        self.parts = parts

    def page(self, number):
        number, bottom, top = self.bounds(number)
        keys, start = [], 0
        for part, length in self.parts:
            low, high = max(bottom - start, 0), min(top - start, length)
            if low < high:
                keys += part.values_list("pk", flat=True)[low:high]
            start += length
        return self._get_page(self._rows(keys), number, self)
