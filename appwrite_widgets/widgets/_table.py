"""``TableView``: a TablesDB table's rows with add and delete buttons.

A TablesDB table's rows, with add/delete as the table's rules allow (core ipywidgets controls: a
list, a text box and buttons are all it needs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets

from appwrite_widgets.widgets._base import ContextView, close_widget, literal

if TYPE_CHECKING:
    from appwrite_widgets.client import Row
    from appwrite_widgets.session import TableData

__all__ = ["TableView"]


# ipywidgets' "success" and "danger" buttons put white on a green or red that is below 4.5:1
# (JupyterLab's dark theme: 2.8:1 and 3.7:1): these keep white text readable in every theme.
_ADD_STYLE = {"button_color": "#2e7d32", "text_color": "#ffffff"}
_DELETE_STYLE = {"button_color": "#b71c1c", "text_color": "#ffffff"}


def _default_text(row: Row) -> str:
    values = [str(v) for v in row.data.values() if v is not None and v != ""]
    return " · ".join(values) or row.id


class TableView(ContextView, ipywidgets.VBox):  # type: ignore[misc]
    """The rows a :class:`~appwrite_widgets.session.TableData` holds, with add and delete.

    A title field with an add button, and a delete button for the selected row that asks first
    ("Delete “Kick-off”?" with the delete label and "Cancel"), then says what it did.

    Usage: ``display(TableView(TableData(ctx, "demo", "events", permissions=RULES),
    column="title", add_label="Add event", delete_label="Delete event"))``

    ``text(row)`` is a row's line in the list; ``values(typed)`` the data of a new row from
    the typed text (default ``{column: typed}``); ``label`` names the list (screen readers
    and the label next to it).

    The list follows the context through its data (sign-in, sign-out, another user). "Add" (and
    its title field) exists only while the rules let the signed-in user create rows, "Delete"
    only while they let them delete the selected row: not hidden, absent, so a page visitor
    has nothing to drive. When Appwrite refuses anyway, its message is shown in place, as
    literal text. Add and delete update the list from Appwrite's answer.
    """

    def __init__(
        self,
        data: TableData,
        *,
        column: str = "title",
        text: Callable[[Row], str] | None = None,
        values: Callable[[str], Mapping[str, Any]] | None = None,
        add_label: str = "Add",
        delete_label: str = "Delete",
        placeholder: str = "Title",
        rows: int = 6,
        label: str = "Rows",
    ) -> None:
        self._data = data
        self._column = column
        self._text = text or _default_text
        self._values = values or (lambda typed: {column: typed})
        self._labels = (add_label, delete_label, placeholder)
        self._list = ipywidgets.Select(
            options=[],
            rows=rows,
            description=label,
            style={"description_width": "initial"},
            layout=ipywidgets.Layout(width="100%", max_width="480px"),
        )
        # Add and Delete exist only while the rules allow them: a hidden widget would still
        # take clicks and keystrokes from any page visitor (the server would refuse, but the
        # page need not offer what it will refuse).
        self._title: ipywidgets.Text | None = None
        self._add: ipywidgets.Button | None = None
        self._delete: ipywidgets.Button | None = None
        # "Delete “title”?" [delete label] [Cancel]: built when Delete is clicked.
        self._confirm: ipywidgets.HBox | None = None
        self._said = ""  # what the last action did, shown until the next one
        self._note = ipywidgets.Label()  # counts, or Appwrite's refusal, as plain text
        self._note.add_class("aw-table-note")
        self._controls = ipywidgets.VBox((self._note,))
        row_box = ipywidgets.HBox(
            (self._list, self._controls), layout=ipywidgets.Layout(flex_flow="row wrap")
        )
        super().__init__(children=(row_box,))
        self._bind(data.context)
        self.add_class("aw-table-view")  # stable hook for CSS and UI tests
        literal(self)  # row texts and Appwrite's messages: never MathJax, in the whole view
        self._own(row_box, self._list, self._note, self._controls)
        self._list.observe(self._guard(self._on_select), "value")
        self._on_data: Callable[[Any], None] | None = self._guard(self._render)
        data.observe(self._on_data, "revision")
        self._render()

    @property
    def data(self) -> TableData:
        """The rows this view shows."""
        return self._data

    # -- rendering ----------------------------------------------------------------------------

    def _selected(self) -> Row | None:
        chosen = self._list.value
        return next((r for r in self._data.rows if r.id == chosen), None)

    def _render(self, change: Any = None) -> None:
        data = self._data
        options = [(self._text(row), row.id) for row in data.rows]
        with self.hold_sync():
            if list(self._list.options) != options:
                keep = self._list.value
                self._list.options = options
                ids = [row_id for _, row_id in options]
                self._list.value = keep if keep in ids else (ids[-1] if ids else None)
            count = f"{data.total} row(s)" if data.total != 1 else "1 row"
            self._note.value = data.error or self._said or count
            self._arrange()

    def _arrange(self) -> None:
        """Build or drop the add and delete controls as the rules now allow."""
        add_label, delete_label, placeholder = self._labels
        row = self._selected()
        may_delete = row is not None and self._data.can_delete(row)
        if self._confirm is not None and not may_delete:
            self._drop_confirm()
        if self._data.can_create and self._add is None:
            self._title = ipywidgets.Text(placeholder=placeholder)
            self._add = ipywidgets.Button(description=add_label, icon="plus", style=_ADD_STYLE)
            self._add.on_click(self._guard(self._on_add))
        elif not self._data.can_create and self._add is not None:
            for widget in (self._title, self._add):
                close_widget(widget)
            self._title = self._add = None
        if may_delete and self._delete is None:
            self._delete = ipywidgets.Button(
                description=delete_label, icon="trash", style=_DELETE_STYLE
            )
            self._delete.on_click(self._guard(self._on_delete))
        elif not may_delete and self._delete is not None:
            close_widget(self._delete)
            self._delete = None
        asking = () if self._confirm is None else self._confirm.children[1:]
        for button in (self._add, self._delete, *asking):
            if button is not None:
                button.disabled = self._data.busy
        parts = (self._title, self._add, self._confirm or self._delete, self._note)
        children = tuple(w for w in parts if w is not None)
        if self._controls.children != children:
            self._controls.children = children

    def _on_select(self, change: Any) -> None:
        self._drop_confirm()
        self._said = ""
        self._render()

    # -- actions ------------------------------------------------------------------------------

    def _on_add(self, _button: Any) -> None:
        if self._title is None:
            return
        title = self._title.value.strip()
        if not title:
            self._note.value = f"Type a {self._column} first."
            return
        values = dict(self._values(title))
        self._title.value = ""
        self._said = ""
        self._dispatch(lambda: self._data.add(values), lambda: self._data.aadd(values))

    def _on_delete(self, _button: Any) -> None:
        """First click: ask ("Delete “title”?"); nothing is sent yet."""
        row = self._selected()
        if row is None or self._confirm is not None:
            return
        question = literal(ipywidgets.Label(f"{self._labels[1]} “{self._text(row)}”?"))
        yes = ipywidgets.Button(description=self._labels[1], style=_DELETE_STYLE)
        no = ipywidgets.Button(description="Cancel")
        yes.on_click(self._guard(lambda _b: self._confirmed(row.id, self._text(row))))
        no.on_click(self._guard(lambda _b: self._cancelled()))
        wrap = ipywidgets.Layout(flex_flow="row wrap", align_items="center")
        self._confirm = ipywidgets.HBox((question, yes, no), layout=wrap)
        self._confirm.add_class("aw-table-confirm")
        self._arrange()

    def _confirmed(self, row_id: str, shown: str) -> None:
        self._drop_confirm()
        self._delete_row(row_id, shown)

    def _cancelled(self) -> None:
        self._drop_confirm()
        self._arrange()

    def _drop_confirm(self) -> None:
        box, self._confirm = self._confirm, None
        if box is None:
            return
        if box in self._controls.children:  # no open box may hold a closed child
            self._controls.children = tuple(c for c in self._controls.children if c is not box)
        for widget in box.children:
            close_widget(widget)
        close_widget(box)

    def _delete_row(self, row_id: str, shown: str) -> None:
        def done() -> None:
            if not self._data.error and all(r.id != row_id for r in self._data.rows):
                self._said = f"Deleted “{shown}”."
            self._render()

        self._said = ""
        self._dispatch(lambda: self._data.delete(row_id), lambda: self._data.adelete(row_id), done)

    def delete_selected(self) -> None:
        """Ask Appwrite to delete the selected row at once, even when the rules say no.

        Its refusal is then shown in place: what a caller going around the view would get.
        """
        row = self._selected()
        if row is not None:
            self._delete_row(row.id, self._text(row))

    def close(self) -> None:
        """Stop observing the data and the context.

        Close the parts (a second call, such as ipywidgets' own on garbage collection, does nothing
        more).
        """
        on_data, self._on_data = self._on_data, None
        if on_data is not None:
            self._data.unobserve(on_data, "revision")
        self._drop_confirm()
        for widget in (self._title, self._add, self._delete):
            if widget is not None:
                close_widget(widget)
        self._title = self._add = self._delete = None
        super().close()

    def __repr__(self) -> str:
        return f"TableView(rows={len(self._data.rows)}, total={self._data.total})"
