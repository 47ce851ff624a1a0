"""A small, safe expression language for BPMN/DMN, replacing SpiffWorkflow's eval/exec.

Gateway conditions, timer expressions, DMN cells and script tasks are written
by process authors. SpiffWorkflow's default script engine hands them to
``eval``/``exec``, so anyone who can deploy a process could run code on the
server. This module parses them with :mod:`ast` and interprets a small,
explicit subset of Python itself; nothing is ever passed to ``eval``, ``exec``
or ``compile``.

Expressions may use:

* literals (str, int, float, bool, None) and list/tuple/dict/set displays;
* names, looked up in the ``names`` mapping (task data). A name starting with
  ``_`` is always refused. Functions are not values: ``len`` must be called;
* ``and``/``or``/``not``; comparisons, also chained (``30 <= x < 80``), ``in``,
  ``not in``, and ``is``/``is not`` only against the literal ``None``;
* ``+ - * / // % **`` and unary ``-``/``+`` on numbers, ``+`` on two
  strings/lists/tuples and ``*`` of a string/list/tuple by an int.
  ``%`` with a string on the left (printf-style formatting) is refused;
* ``a if c else b``, subscripts and slices (``d['key']``, ``lst[0]``, ``s[1:3]``);
* calls by plain name to the functions in ``functions`` (positional and plain
  keyword arguments; no ``*args``/``**kwargs``), and calls of the methods in
  :data:`ALLOWED_METHODS` on str/dict/list/tuple/date values. Any other
  attribute access is refused.

Not allowed: lambdas, comprehensions, f-strings, ``.format``, walrus, starred
arguments, attribute reads, and calls to eval/exec/open/getattr/type/... even
if a host were to offer them.

Scripts (:func:`execute`) are sequences of ``name = expr``, ``x['k'] = expr``,
``name += expr``, ``if``/``elif``/``else``, ``pass``, ``del name`` and bare
calls. There are no loops, so every script terminates. A script runs against a
copy of the data; the data is only updated when the whole script succeeded,
and only with JSON-compatible values (str, int, float, bool, None, list,
tuple, dict with str keys), because task data is serialised as JSON.

Resource limits: source at most :data:`MAX_SOURCE_LENGTH` characters, syntax
tree at most :data:`MAX_DEPTH` levels (``elif`` chains count as flat),
integer results of arithmetic at most :data:`MAX_INT` in magnitude, ``**``
exponents at most :data:`MAX_EXPONENT`, and every string/list/dict built by an
operator, display or subscript assignment at most :data:`MAX_SIZE` units
(characters plus elements, counted through nesting).

Dates travel as ISO strings (``'YYYY-MM-DD'`` or ISO datetimes) so task data
stays JSON-safe; the date helpers in :data:`DEFAULT_FUNCTIONS` accept those
(or date/datetime objects) and return ISO strings. The current time is
deliberately *not* a default function: the host passes e.g. ``nu`` and
``vandaag`` in ``functions`` (backed by its clock seam), so evaluation stays
deterministic and testable.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import copy
import math
import operator
import textwrap
from collections import ChainMap
from collections.abc import Callable, Collection, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar, cast

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import clock, kalender

__all__ = [
    "ExpressionError",
    "evaluate",
    "execute",
    "check",
    "DEFAULT_FUNCTIONS",
    "ALLOWED_METHODS",
    "SafeEnvironment",
    "SafeScriptEngine",
]

MAX_SOURCE_LENGTH = 10_000
MAX_DEPTH = 50
MAX_INT = 10**30
MAX_EXPONENT = 100
MAX_SIZE = 100_000
MAX_STORED_SIZE = 1_000_000
MAX_WERKDAGEN = 10_000
MAX_CALENDAR_DAYS = 20_000  # working days all calendar calls of one expression or script may walk
MAX_NUMBER_TEXT = 40  # digits int()/float() will read from text: 10**30 has 31

_calendar_days: contextvars.ContextVar[list[int]] = contextvars.ContextVar("werkpad_calendar_days")


def _spend_calendar_days(n: int) -> None:
    budget = _calendar_days.get(None)
    if budget is None:
        return
    budget[0] += max(n, 1)
    if budget[0] > MAX_CALENDAR_DAYS:
        raise ValueError(f"this expression asks the calendar for more than {MAX_CALENDAR_DAYS} working days in all")



_DATA_FUNCTIONS = frozenset({"bekend", "waarde"})


class ExpressionError(Exception):
    """An expression or script was refused or failed; the message names the construct."""

    def __init__(self, message: str, *, lineno: int | None = None, snippet: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.lineno = lineno
        self.snippet = snippet


# --------------------------------------------------------------------------- limits


def _size(value: Any, budget: int) -> int:
    """Rough serialised size (chars + elements, through nesting); stops once above ``budget``.

    Shared references are counted every time they occur, because that is what
    JSON serialisation or ``str()`` will produce.
    """
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        total += 1
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        if total > budget:
            break
    return total


T = TypeVar("T")


def _check_size(value: T, what: str) -> T:
    if isinstance(value, str | list | tuple | set | frozenset | dict) and _size(value, MAX_SIZE) > MAX_SIZE:
        raise ValueError(f"{what} would be larger than the limit of {MAX_SIZE} characters/elements")
    return value


def _check_int(value: T) -> T:
    if type(value) is int and abs(cast(int, value)) > MAX_INT:
        raise ValueError("integer result is larger than 10**30")
    return value


def _storable_problem(value: Any) -> str | None:
    """Why ``value`` cannot be kept in task data (None if it can)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if item is None or isinstance(item, bool | int | float | str):
            continue
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            for key in item:
                if not isinstance(key, str):
                    return f"dict key {key!r} is not a string"
            stack.extend(item.values())
        else:
            return f"a value of type {type(item).__name__} is not JSON data (store dates as ISO strings)"
    return None


# --------------------------------------------------------------------------- parsing and static checks

_FRIENDLY = {
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.NamedExpr: "assignment expression (:=)",
    ast.Starred: "star-unpacking (*args)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.For: "for loop",
    ast.AsyncFor: "for loop",
    ast.While: "while loop",
    ast.FunctionDef: "function definition",
    ast.AsyncFunctionDef: "function definition",
    ast.ClassDef: "class definition",
    ast.Return: "return",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.Try: "try",
    ast.With: "with",
    ast.AsyncWith: "with",
    ast.Raise: "raise",
    ast.Assert: "assert",
    ast.Match: "match",
    ast.AnnAssign: "annotated assignment",
    ast.Break: "break",
    ast.Continue: "continue",
    ast.Attribute: "attribute access",
}
if hasattr(ast, "TryStar"):
    _FRIENDLY[ast.TryStar] = "try"

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_BINOP_SYMBOL = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}

_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}

# Never callable, whatever a host puts in ``functions``.
_FORBIDDEN_CALLS = frozenset(
    {
        "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "hasattr", "globals",
        "locals", "vars", "dir", "type", "object", "super", "input", "breakpoint", "help", "exit",
        "quit", "memoryview", "classmethod", "staticmethod", "property", "id", "isinstance",
        "issubclass", "iter", "next", "print",
    }
)  # fmt: skip


class _Checker:
    """Static validation: refuses every construct outside the allowed subset."""

    def __init__(self, source: str) -> None:
        self.source = source

    def refuse(self, node: ast.AST, message: str) -> ExpressionError:
        return _located_error(self.source, node, message)

    def forbidden(self, node: ast.AST) -> ExpressionError:
        what = _FRIENDLY.get(type(node), type(node).__name__)
        return self.refuse(node, f"{what} is not allowed")

    def name(self, node: ast.AST, ident: str) -> None:
        if ident.startswith("_"):
            raise self.refuse(node, f"names starting with '_' are not allowed ('{ident}')")

    # expressions
    def expr(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            if node.value is not None and type(node.value) not in (str, int, float, bool):
                raise self.refuse(node, f"{type(node.value).__name__} literals are not allowed")
        elif isinstance(node, ast.Name):
            self.name(node, node.id)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.expr(value)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
                raise self.refuse(node, f"operator {type(node.op).__name__} is not allowed")
            self.expr(node.operand)
        elif isinstance(node, ast.BinOp):
            current: ast.expr = node
            while isinstance(current, ast.BinOp):  # a + b + c + ...: one level, however long
                self.binop(current, current.op, current.left)
                self.expr(current.right)
                current = current.left
            self.expr(current)
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for i, op in enumerate(node.ops):
                if type(op) not in _COMPARE:
                    raise self.refuse(node, f"comparison {type(op).__name__} is not allowed")
                if isinstance(op, ast.Is | ast.IsNot) and not any(
                    isinstance(o, ast.Constant) and o.value is None for o in operands[i : i + 2]
                ):
                    raise self.refuse(node, "'is' / 'is not' may only be used with None")
            for operand in operands:
                self.expr(operand)
        elif isinstance(node, ast.IfExp):
            self.expr(node.test)
            self.expr(node.body)
            self.expr(node.orelse)
        elif isinstance(node, ast.Subscript):
            self.expr(node.value)
            self.subscript_key(node.slice)
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            for elt in node.elts:
                self.expr(elt)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    raise self.refuse(value, "dict unpacking (**) is not allowed")
                self.expr(key)
                self.expr(value)
        elif isinstance(node, ast.Call):
            self.call(node)
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise self.refuse(node, f"access to private attribute '{node.attr}' is not allowed")
            raise self.refuse(node, f"attribute access '.{node.attr}' is not allowed (only method calls)")
        else:
            raise self.forbidden(node)

    def binop(self, node: ast.AST, op: ast.operator, left: ast.AST | None) -> None:
        if type(op) not in _BINOPS:
            raise self.refuse(node, f"operator {type(op).__name__} is not allowed")
        if isinstance(op, ast.Mod) and isinstance(left, ast.Constant) and isinstance(left.value, str):
            raise self.refuse(node, "%-formatting of strings is not allowed")

    def subscript_key(self, node: ast.AST) -> None:
        if isinstance(node, ast.Slice):
            for part in (node.lower, node.upper, node.step):
                if part is not None:
                    self.expr(part)
        else:
            self.expr(node)

    def call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            self.name(func, func.id)
            if func.id in _FORBIDDEN_CALLS:
                raise self.refuse(node, f"calling '{func.id}' is not allowed")
        elif isinstance(func, ast.Attribute):
            if func.attr.startswith("_"):
                raise self.refuse(func, f"access to private attribute '{func.attr}' is not allowed")
            if func.attr not in _ALL_METHOD_NAMES:
                raise self.refuse(func, f"method '.{func.attr}()' is not allowed")
            self.expr(func.value)
        else:
            raise self.refuse(node, "only named functions and allowed methods can be called")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.forbidden(arg)
            self.expr(arg)
        for kw in node.keywords:
            if kw.arg is None:
                raise self.refuse(kw.value, "keyword unpacking (**kwargs) is not allowed")
            if kw.arg.startswith("_"):
                raise self.refuse(kw.value, f"keyword argument '{kw.arg}' is not allowed")
            self.expr(kw.value)

    # statements
    def statements(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self.target(target)
            self.expr(node.value)
        elif isinstance(node, ast.AugAssign):
            self.target(node.target)
            self.binop(node, node.op, None)
            self.expr(node.value)
        elif isinstance(node, ast.If):
            current: ast.stmt = node
            while True:  # elif chains iteratively
                assert isinstance(current, ast.If)
                self.expr(current.test)
                self.statements(current.body)
                if len(current.orelse) == 1 and isinstance(current.orelse[0], ast.If):
                    current = current.orelse[0]
                    continue
                self.statements(current.orelse)
                break
        elif isinstance(node, ast.Pass):
            pass
        elif isinstance(node, ast.Expr):
            if not isinstance(node.value, ast.Call):
                raise self.refuse(node, "a statement must be an assignment, if, pass, del or a function call")
            self.expr(node.value)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if not isinstance(target, ast.Name):
                    raise self.refuse(target, "only names can be deleted")
                self.name(target, target.id)
        else:
            raise self.forbidden(node)

    def target(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            self.name(node, node.id)
            return
        if isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Slice):
                raise self.refuse(node, "assignment to a slice is not allowed")
            root = node.value
            while isinstance(root, ast.Subscript):
                root = root.value
            if not isinstance(root, ast.Name):
                raise self.refuse(node, "can only assign into a variable, e.g. x['key'] = ...")
            self.expr(node.value)
            self.expr(node.slice)
            return
        raise self.refuse(node, "can only assign to a name or a subscript (x = ..., x['key'] = ...)")


def _located_error(source: str, node: ast.AST, message: str) -> ExpressionError:
    lineno = getattr(node, "lineno", None)
    snippet = ast.get_source_segment(source, node) if lineno is not None else None
    if snippet is not None:
        snippet = " ".join(snippet.split())
        if len(snippet) > 80:
            snippet = snippet[:77] + "..."
    text = message
    if snippet:
        text += f" in '{snippet}'"
    if lineno is not None and "\n" in source.strip():
        text += f" (line {lineno})"
    return ExpressionError(text, lineno=lineno, snippet=snippet)


def _check_depth(tree: ast.AST, source: str) -> None:
    """Refuse deeply nested trees, iteratively (the tree may be very deep)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _located_error(source, node, f"expression is nested more than {MAX_DEPTH} levels deep")
        elif_node = None
        if isinstance(node, ast.If) and len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
            elif_node = node.orelse[0]
        chained = node.left if isinstance(node, ast.BinOp) and isinstance(node.left, ast.BinOp) else None
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr_context | ast.operator):
                continue
            # elif chains and a + b + c + ... chains are flat, however long
            stack.append((child, depth if child is elif_node or child is chained else depth + 1))


def _prepare_source(source: Any, mode: str) -> str:
    if not isinstance(source, str):
        raise ExpressionError(f"expected an expression string, got {type(source).__name__}")
    if mode not in ("eval", "exec"):
        raise ExpressionError(f"mode must be 'eval' or 'exec', not {mode!r}")
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(f"expression is longer than {MAX_SOURCE_LENGTH} characters")
    return source.strip() if mode == "eval" else textwrap.dedent(source)


@lru_cache(maxsize=512)
def _compile(source: str, mode: str) -> ast.AST:
    """Parse and statically check; raises SyntaxError for unparsable text.

    The result is a plain syntax tree that only this module interprets.
    """
    text = _prepare_source(source, mode)
    try:
        tree = ast.parse(text, mode=mode)
    except (RecursionError, MemoryError) as exc:
        raise ExpressionError("expression is too deeply nested") from exc
    except ValueError as exc:  # e.g. null bytes (a SyntaxError from Python 3.12 on)
        raise SyntaxError(str(exc)) from exc
    _check_depth(tree, text)
    checker = _Checker(text)
    if isinstance(tree, ast.Expression):
        checker.expr(tree.body)
    else:
        assert isinstance(tree, ast.Module)
        checker.statements(tree.body)
    return tree


def _compile_or_refuse(source: str, mode: str) -> tuple[ast.AST, str]:
    text = _prepare_source(source, mode)  # type/length checks before the cache sees it
    try:
        return _compile(source, mode), text
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno and mode == "exec" else ""
        line = " ".join((exc.text or "").split())
        snippet = f" in '{line[:77]}...'" if len(line) > 80 else f" in '{line}'" if line else ""
        raise ExpressionError(f"syntax error{where}: {exc.msg}{snippet}", lineno=exc.lineno) from exc


def check(expression_or_script: str, mode: str = "eval") -> None:
    """Validate without running, e.g. when a process definition is deployed.

    ``mode`` is ``'eval'`` for expressions and ``'exec'`` for scripts. Raises
    :class:`ExpressionError` for syntax errors and forbidden constructs; names
    and functions are only resolved when evaluating.
    """
    _compile_or_refuse(expression_or_script, mode)


@dataclass(frozen=True)
class _Names:
    loaded: frozenset[str]   # read (not as a function called by name)
    guarded: frozenset[str]  # asked about with bekend("x") / waarde("x", …)
    own: frozenset[str]      # a comprehension's or lambda's own names
    stored: frozenset[str]   # set


def _names(expression_or_script: str, mode: str) -> _Names | None:
    """The names an expression or script reads, asks about, keeps to itself and sets; None for a
    text that does not parse or is refused (the check reports that)."""
    try:
        tree, _ = _compile_or_refuse(expression_or_script, mode)
    except (ExpressionError, SyntaxError):
        return None
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    loaded: set[str] = set()
    guarded: set[str] = set()
    own: set[str] = set()
    stored: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in called:
            loaded.add(node.id)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            stored.add(node.id)
        elif isinstance(node, ast.arg):
            own.add(node.arg)
        elif isinstance(node, ast.comprehension):
            own.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _DATA_FUNCTIONS
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            guarded.add(node.args[0].value)
    return _Names(frozenset(loaded), frozenset(guarded), frozenset(own), frozenset(stored))


def names_read(expression_or_script: str, mode: str = "eval") -> frozenset[str]:
    """The case-data names an expression or script reads: every name it loads that is not called
    as a function, and the field named in ``bekend("x")`` / ``waarde("x", …)``. Nothing for a
    text that does not parse or is refused (the check reports that)."""
    names = _names(expression_or_script, mode)
    return names.loaded | names.guarded if names else frozenset()


def names_needed(expression_or_script: str, mode: str = "eval") -> tuple[frozenset[str], frozenset[str]]:
    """What an expression or script needs from the case and what it leaves there: the names it
    reads without a guard — not a name it asks about with ``bekend("x")`` or ``waarde("x", …)``
    (it copes when that is missing), not one it sets itself, not a comprehension's or lambda's
    own — and the names it sets. Nothing for a text that does not parse or is refused."""
    names = _names(expression_or_script, mode)
    if names is None:
        return frozenset(), frozenset()
    kept = names.stored - names.own if mode == "exec" else frozenset()
    return names.loaded - names.guarded - names.own - names.stored, kept


def functions_called(expression_or_script: str, mode: str = "eval") -> frozenset[str]:
    """The functions an expression or script calls by name (``werkdagen_na(…)``; a method such as
    ``x.lower()`` is not one). Nothing for a text that does not parse or is refused."""
    try:
        tree, _ = _compile_or_refuse(expression_or_script, mode)
    except (ExpressionError, SyntaxError):
        return frozenset()
    return frozenset(node.func.id for node in ast.walk(tree)
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Name))


# --------------------------------------------------------------------------- methods


def _str_replace(s: str, old: str, new: str, count: int = -1) -> str:
    if not isinstance(old, str) or not isinstance(new, str):
        raise TypeError("replace() arguments must be strings")
    hits = len(s) + 1 if old == "" else s.count(old)
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    if len(s) + hits * (len(new) - len(old)) > MAX_SIZE:
        raise ValueError(f"replace() result would be longer than {MAX_SIZE} characters")
    return str.replace(s, old, new, count)


def _str_join(sep: str, items: Any) -> str:
    items = list(items)
    if not all(isinstance(item, str) for item in items):
        raise TypeError("join() needs a list of strings")
    if sum(map(len, items)) + len(sep) * max(len(items) - 1, 0) > MAX_SIZE:
        raise ValueError(f"join() result would be longer than {MAX_SIZE} characters")
    return str.join(sep, items)


def _dict_keys(d: dict[Any, Any]) -> list[Any]:
    return list(dict.keys(d))


def _dict_values(d: dict[Any, Any]) -> list[Any]:
    return list(dict.values(d))


def _dict_items(d: dict[Any, Any]) -> list[Any]:
    return list(dict.items(d))


# Read-only methods, called through the base type (never via getattr on the
# object, so subclasses cannot substitute their own code). keys/values/items
# return lists so results stay JSON data.
ALLOWED_METHODS: dict[type, dict[str, Callable[..., Any]]] = {
    str: {
        "lower": str.lower,
        "upper": str.upper,
        "title": str.title,
        "strip": str.strip,
        "lstrip": str.lstrip,
        "rstrip": str.rstrip,
        "startswith": str.startswith,
        "endswith": str.endswith,
        "split": str.split,
        "isdigit": str.isdigit,
        "count": str.count,
        "find": str.find,
        "replace": _str_replace,
        "join": _str_join,
    },
    dict: {"get": dict.get, "keys": _dict_keys, "values": _dict_values, "items": _dict_items},
    list: {"index": list.index, "count": list.count},
    tuple: {"index": tuple.index, "count": tuple.count},
    datetime: {"isoformat": datetime.isoformat},
    date: {"isoformat": date.isoformat},
}
_ALL_METHOD_NAMES = frozenset(name for table in ALLOWED_METHODS.values() for name in table)


def _method(obj: Any, name: str) -> Callable[..., Any] | None:
    for base, table in ALLOWED_METHODS.items():  # datetime is listed before date
        if isinstance(obj, base):
            return table.get(name)
    return None


# --------------------------------------------------------------------------- default functions


def _moment(value: Any) -> date | datetime:
    """An ISO string (or date/datetime) as a date, or as a datetime if it has a time."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
        raise ValueError(f"not an ISO date or datetime: {value!r}")
    raise ValueError(f"expected an ISO date string, got {type(value).__name__}")


def _as_date(value: Any) -> date:
    """The calendar date; aware datetimes are read in Dutch local time."""
    moment = _moment(value)
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(clock.AMSTERDAM)
        return moment.date()
    return moment


def datum(value: Any) -> str:
    """Normalise a date/datetime (string) to ``'YYYY-MM-DD'``."""
    return _as_date(value).isoformat()


def plus_duur(value: Any, duur: str) -> str:
    """Calendar-aware ``value + duur``; a date stays a date, a datetime a datetime."""
    return kalender.plus_duur(_moment(value), duur).isoformat()


# days equated to holidays by decree (Atw art. 3 lid 3): data of the process version, set by
# the runtime while a case takes a step (see gelijkgestelde_dagen)
_GELIJKGESTELD: contextvars.ContextVar[frozenset[date]] = contextvars.ContextVar(
    "werkpad_gelijkgesteld", default=frozenset())


@contextlib.contextmanager
def gelijkgestelde_dagen(days: Collection[date]) -> Iterator[None]:
    """Count ``days`` as holidays in the calendar functions within this block."""
    token = _GELIJKGESTELD.set(frozenset(days))
    try:
        yield
    finally:
        _GELIJKGESTELD.reset(token)


def termijn_einde(value: Any, duur: str) -> str:
    """End of a statutory term (Algemene termijnenwet), as ``'YYYY-MM-DD'``."""
    _spend_calendar_days(10)
    return kalender.termijn_einde(_as_date(value), duur, gelijkgesteld=_GELIJKGESTELD.get()).isoformat()


def werkdagen_na(value: Any, n: int) -> str:
    """The date ``n`` working days after ``value``."""
    if isinstance(n, int) and not isinstance(n, bool) and n > MAX_WERKDAGEN:
        raise ValueError(f"at most {MAX_WERKDAGEN} working days")
    _spend_calendar_days(abs(n) if isinstance(n, int) else 1)
    return kalender.werkdagen_na(_as_date(value), n, gelijkgesteld=_GELIJKGESTELD.get()).isoformat()


def volgende_werkdag(value: Any) -> str:
    """``value`` itself if it is a working day, else the next one."""
    return kalender.volgende_werkdag(_as_date(value), gelijkgesteld=_GELIJKGESTELD.get()).isoformat()


def dagen_tussen(begin: Any, einde: Any) -> int:
    """Calendar days from ``begin`` to ``einde`` (negative if einde is earlier)."""
    return (_as_date(einde) - _as_date(begin)).days


def leeftijd(geboortedatum: Any, peildatum: Any) -> int:
    """Age in full years on ``peildatum``; someone born on 29 Feb ages on 1 March in common years."""
    born, on = _as_date(geboortedatum), _as_date(peildatum)
    if on < born:
        raise ValueError("peildatum is before geboortedatum")
    return kalender.leeftijd(born, on)


def _number(value: Any, fname: str) -> None:
    if not isinstance(value, int | float):
        raise TypeError(f"{fname}() needs numbers, got {type(value).__name__}")


def _round(number: Any, ndigits: int | None = None) -> Any:
    _number(number, "round")
    if ndigits is not None and (not isinstance(ndigits, int) or abs(ndigits) > MAX_EXPONENT):
        raise ValueError(f"round() ndigits must be an integer between -{MAX_EXPONENT} and {MAX_EXPONENT}")
    return round(number, ndigits)


def _sum(values: Any, start: Any = 0) -> Any:
    total = start
    _number(total, "sum")
    for value in values:
        _number(value, "sum")
        total = _check_int(total + value)
    return total


def _int(value: Any = 0, *base: int) -> int:
    if isinstance(value, str) and len(value.strip().replace("_", "")) > MAX_NUMBER_TEXT:
        raise ValueError(f"int() reads at most {MAX_NUMBER_TEXT} digits")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("int() needs a finite number")
    return _check_int(int(value, *base))


def _float(value: Any = 0.0) -> float:
    if isinstance(value, str) and len(value.strip()) > MAX_NUMBER_TEXT:
        raise ValueError(f"float() reads at most {MAX_NUMBER_TEXT} characters")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError("float() result is not a finite number (nan/inf are not allowed)")
    return result


def _str(value: Any = "") -> str:
    _check_size(value, "str() result")
    return str(value)


DEFAULT_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "round": _round,
    "int": _int,
    "float": _float,
    "str": _str,
    "bool": bool,
    "sum": _sum,
    "sorted": sorted,
    "any": any,
    "all": all,
    "datum": datum,
    "plus_duur": plus_duur,
    "termijn_einde": termijn_einde,
    "werkdagen_na": werkdagen_na,
    "volgende_werkdag": volgende_werkdag,
    "dagen_tussen": dagen_tussen,
    "leeftijd": leeftijd,
}


# --------------------------------------------------------------------------- interpreter

_SEQUENCE = (str, list, tuple)
_NUMBER = (int, float)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"key {exc.args[0]!r} not found" if exc.args else "key not found"
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, IndexError):
        return "index out of range"
    if isinstance(exc, RecursionError | MemoryError):
        return "expression too complex"
    return f"{type(exc).__name__}: {exc}"


class _Interpreter:
    def __init__(self, source: str, names: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]):
        self.source = source
        self.names = names
        self.functions = functions

    def error(self, node: ast.AST, message: str) -> ExpressionError:
        return _located_error(self.source, node, message)

    # expressions -----------------------------------------------------------
    def eval(self, node: ast.AST) -> Any:
        handler = self._HANDLERS.get(type(node))
        if handler is None:  # the checker already refused it; belt and braces
            raise self.error(node, f"{_FRIENDLY.get(type(node), type(node).__name__)} is not allowed")
        try:
            return handler(self, node)
        except ExpressionError:
            raise
        except Exception as exc:
            raise self.error(node, _describe(exc)) from exc

    def _constant(self, node: ast.Constant) -> Any:
        return node.value

    def _name(self, node: ast.Name) -> Any:
        if node.id.startswith("_"):
            raise self.error(node, f"names starting with '_' are not allowed ('{node.id}')")
        if node.id in self.names:
            return self.names[node.id]
        if node.id in self.functions:
            raise self.error(node, f"'{node.id}' is a function; call it as {node.id}(...)")
        raise self.error(node, f"unknown name '{node.id}'")

    def _boolop(self, node: ast.BoolOp) -> Any:
        result: Any = None
        for value in node.values:
            result = self.eval(value)
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result

    def _unaryop(self, node: ast.UnaryOp) -> Any:
        operand = self.eval(node.operand)
        if isinstance(node.op, ast.Not):
            return not operand
        if not isinstance(operand, _NUMBER):
            raise self.error(node, f"unary minus/plus needs a number, got {type(operand).__name__}")
        return -operand if isinstance(node.op, ast.USub) else +operand

    def _binop(self, node: ast.BinOp) -> Any:
        # a long sum a + b + c + ... is a left-leaning chain: walk it without recursing per term
        chain = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp):
            chain.append(current)
            current = current.left
        value = self.eval(current)
        for link in reversed(chain):
            value = self.arith(link, link.op, value, self.eval(link.right))
        return value

    def arith(self, node: ast.AST, op: ast.operator, left: Any, right: Any) -> Any:
        symbol = _BINOP_SYMBOL.get(type(op), type(op).__name__)
        if isinstance(op, ast.Mod) and isinstance(left, str):
            raise self.error(node, "%-formatting of strings is not allowed")
        for operand in (left, right):
            if not isinstance(operand, _NUMBER + _SEQUENCE):
                raise self.error(node, f"operator {symbol} is not allowed on {type(operand).__name__} values")
        if isinstance(op, ast.Add) and isinstance(left, _SEQUENCE):
            if type(left) is type(right):
                if _size(left, MAX_SIZE) + _size(right, MAX_SIZE) > MAX_SIZE:
                    raise self.error(node, f"result would be larger than {MAX_SIZE} characters/elements")
        elif isinstance(op, ast.Mult) and (isinstance(left, _SEQUENCE) or isinstance(right, _SEQUENCE)):
            seq, times = (left, right) if isinstance(left, _SEQUENCE) else (right, left)
            if isinstance(times, int) and times > 0 and _size(seq, MAX_SIZE) * times > MAX_SIZE:
                raise self.error(node, f"repetition would be larger than {MAX_SIZE} characters/elements")
        elif isinstance(op, ast.Pow) and isinstance(left, _NUMBER) and isinstance(right, _NUMBER):
            if abs(right) > MAX_EXPONENT:
                raise self.error(node, f"exponent larger than {MAX_EXPONENT} is not allowed")
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                if (abs(left).bit_length() - 1) * right > 100:  # certainly above 2**100 > 10**30
                    raise self.error(node, "integer result is larger than 10**30")
        result = _BINOPS[type(op)](left, right)
        if isinstance(result, complex):
            raise self.error(node, "complex numbers are not supported")
        if type(result) is int and abs(result) > MAX_INT:
            raise self.error(node, "integer result is larger than 10**30")
        if type(result) is float and not math.isfinite(result):
            raise self.error(node, "result is not a finite number")
        return result

    def _compare(self, node: ast.Compare) -> bool:
        left = self.eval(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def _ifexp(self, node: ast.IfExp) -> Any:
        return self.eval(node.body) if self.eval(node.test) else self.eval(node.orelse)

    def _subscript(self, node: ast.Subscript) -> Any:
        container = self.eval(node.value)
        if not isinstance(container, dict | list | tuple | str):
            raise self.error(node, f"cannot index a {type(container).__name__} value")
        return container[self.key(node.slice)]

    def key(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Slice):
            parts = []
            for part in (node.lower, node.upper, node.step):
                value = None if part is None else self.eval(part)
                if value is not None and not isinstance(value, int):
                    raise self.error(node, "slice bounds must be integers")
                parts.append(value)
            return slice(*parts)
        return self.eval(node)

    def _list(self, node: ast.List) -> list[Any]:
        return _check_size([self.eval(elt) for elt in node.elts], "list")

    def _tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        return _check_size(tuple(self.eval(elt) for elt in node.elts), "tuple")

    def _set(self, node: ast.Set) -> set[Any]:
        return _check_size({self.eval(elt) for elt in node.elts}, "set")

    def _dict(self, node: ast.Dict) -> dict[Any, Any]:
        result = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                raise self.error(value, "dict unpacking (**) is not allowed")
            result[self.eval(key)] = self.eval(value)
        return _check_size(result, "dict")

    def _call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Name):
            name = func.id
            if name.startswith("_") or name in _FORBIDDEN_CALLS:
                raise self.error(node, f"calling '{name}' is not allowed")
            if name in _DATA_FUNCTIONS:
                return self._data_function(node, name)
            if name not in self.functions:
                if name in self.names:
                    raise self.error(node, f"'{name}' is not a function")
                raise self.error(node, f"unknown function '{name}'")
            target: Callable[..., Any] = self.functions[name]
            args: list[Any] = []
        elif isinstance(func, ast.Attribute):
            if func.attr.startswith("_"):
                raise self.error(func, f"access to private attribute '{func.attr}' is not allowed")
            obj = self.eval(func.value)
            method = _method(obj, func.attr)
            if method is None:
                raise self.error(
                    func, f"method '.{func.attr}()' is not allowed on {type(obj).__name__} values"
                )
            target = method
            args = [obj]
        else:
            raise self.error(node, "only named functions and allowed methods can be called")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error(arg, "star-unpacking (*args) is not allowed")
            args.append(self.eval(arg))
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None or kw.arg.startswith("_"):
                raise self.error(kw.value, "keyword unpacking (**kwargs) is not allowed")
            kwargs[kw.arg] = self.eval(kw.value)
        return target(*args, **kwargs)

    def _data_function(self, node: ast.Call, name: str) -> Any:
        """``bekend("x")``: is x in the case data; ``waarde("x", standaard)``: x, or the default.

        They read the data by name, so a process can ask for an optional field
        without failing on an unknown name."""
        if node.keywords or not 1 <= len(node.args) <= (2 if name == "waarde" else 1):
            raise self.error(node, f"{name}() takes a field name{' and a default' if name == 'waarde' else ''}")
        key = self.eval(node.args[0])
        if not isinstance(key, str) or key.startswith("_"):
            raise self.error(node, f"{name}() needs a field name as text")
        if name == "bekend":
            return key in self.names
        if key in self.names:
            return self.names[key]
        return self.eval(node.args[1]) if len(node.args) == 2 else None

    _HANDLERS: dict[type, Callable[[_Interpreter, Any], Any]] = {
        ast.Constant: _constant,
        ast.Name: _name,
        ast.BoolOp: _boolop,
        ast.UnaryOp: _unaryop,
        ast.BinOp: _binop,
        ast.Compare: _compare,
        ast.IfExp: _ifexp,
        ast.Subscript: _subscript,
        ast.List: _list,
        ast.Tuple: _tuple,
        ast.Set: _set,
        ast.Dict: _dict,
        ast.Call: _call,
    }


class _ScriptRunner(_Interpreter):
    """Runs statements against a working copy (``names`` is a ChainMap(working, external))."""

    def __init__(self, source: str, working: dict[str, Any], external: Mapping[str, Any], functions: Any) -> None:
        # External values are copied too, so a script can never mutate the host's objects.
        super().__init__(source, ChainMap(working, copy.deepcopy(dict(external))), functions)
        self.working = working
        self.external = external
        self.written: set[str] = set()
        self.deleted: set[str] = set()

    def run(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, node: ast.stmt) -> None:
        try:
            self._statement(node)
        except ExpressionError:
            raise
        except Exception as exc:
            raise self.error(node, _describe(exc)) from exc

    def _statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            value = self.eval(node.value)
            for target in node.targets:
                self.store(target, value)
        elif isinstance(node, ast.AugAssign):
            target = node.target
            if isinstance(target, ast.Name):
                current = self._name(target)
                self.store(target, self.arith(node, node.op, current, self.eval(node.value)))
            elif isinstance(target, ast.Subscript):
                container = self.container(target)
                key = self.key(target.slice)
                new = self.arith(node, node.op, container[key], self.eval(node.value))
                self.setitem(target, container, key, new)
            else:
                raise self.error(node, "can only assign to a name or a subscript")
        elif isinstance(node, ast.If):
            current_if: ast.stmt = node
            while isinstance(current_if, ast.If):
                if self.eval(current_if.test):
                    self.run(current_if.body)
                    return
                if len(current_if.orelse) == 1 and isinstance(current_if.orelse[0], ast.If):
                    current_if = current_if.orelse[0]
                else:
                    self.run(current_if.orelse)
                    return
        elif isinstance(node, ast.Pass):
            return
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            self.eval(node.value)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if not isinstance(target, ast.Name) or target.id.startswith("_"):
                    raise self.error(target, "only names can be deleted")
                if target.id not in self.working:
                    raise self.error(target, f"cannot delete '{target.id}': no such task data")
                del self.working[target.id]
                self.written.discard(target.id)
                self.deleted.add(target.id)
        else:
            raise self.error(node, f"{_FRIENDLY.get(type(node), type(node).__name__)} is not allowed")

    def root_name(self, node: ast.Subscript) -> ast.Name:
        root: ast.AST = node
        while isinstance(root, ast.Subscript):
            root = root.value
        if not isinstance(root, ast.Name):
            raise self.error(node, "can only assign into a variable, e.g. x['key'] = ...")
        return root

    def container(self, target: ast.Subscript) -> Any:
        root = self.root_name(target)
        if root.id not in self.working:
            if root.id in self.external:
                raise self.error(target, f"'{root.id}' is not task data and cannot be modified")
            raise self.error(target, f"unknown name '{root.id}'")
        container = self.eval(target.value)
        if not isinstance(container, dict | list):
            raise self.error(target, f"cannot assign into a {type(container).__name__} value")
        return container

    def setitem(self, target: ast.Subscript, container: Any, key: Any, value: Any) -> None:
        if isinstance(container, dict) and not isinstance(key, str):
            raise self.error(target, "task data dict keys must be strings")
        container[key] = value
        _check_size(container, "the modified value")
        self.written.add(self.root_name(target).id)

    def store(self, target: ast.AST, value: Any) -> None:
        if isinstance(target, ast.Name):
            if target.id.startswith("_"):
                raise self.error(target, f"names starting with '_' are not allowed ('{target.id}')")
            self.working[target.id] = value
            self.written.add(target.id)
            self.deleted.discard(target.id)
        elif isinstance(target, ast.Subscript) and not isinstance(target.slice, ast.Slice):
            container = self.container(target)
            self.setitem(target, container, self.key(target.slice), value)
        else:
            raise self.error(target, "can only assign to a name or a subscript")


# --------------------------------------------------------------------------- public API


def _merged(functions: Mapping[str, Callable[..., Any]] | None) -> Mapping[str, Callable[..., Any]]:
    return DEFAULT_FUNCTIONS if not functions else {**DEFAULT_FUNCTIONS, **functions}


def _evaluate(expression: str, names: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]) -> Any:
    tree, source = _compile_or_refuse(expression, "eval")
    assert isinstance(tree, ast.Expression)
    token = _calendar_days.set([0])
    try:
        return _Interpreter(source, names, functions).eval(tree.body)
    finally:
        _calendar_days.reset(token)


def evaluate(
    expression: str,
    names: Mapping[str, Any],
    functions: Mapping[str, Callable[..., Any]] | None = None,
) -> Any:
    """Evaluate ``expression`` against ``names`` without eval().

    ``functions`` are added to (and may override) :data:`DEFAULT_FUNCTIONS`;
    only these can be called. Raises :class:`ExpressionError`.
    """
    return _evaluate(expression, names, _merged(functions))


def _execute(
    script: str,
    data: MutableMapping[str, Any],
    external: Mapping[str, Any],
    functions: Mapping[str, Callable[..., Any]],
) -> None:
    tree, source = _compile_or_refuse(script, "exec")
    assert isinstance(tree, ast.Module)
    try:
        working = copy.deepcopy(dict(data))
        runner = _ScriptRunner(source, working, external, functions)
    except Exception as exc:
        raise ExpressionError(f"task data cannot be copied for the script: {_describe(exc)}") from exc
    token = _calendar_days.set([0])
    try:
        runner.run(tree.body)
    finally:
        _calendar_days.reset(token)
    for name in sorted(runner.written):
        value = working[name]
        # size first: it is bounded even for cyclic host data
        if _size(value, MAX_STORED_SIZE) > MAX_STORED_SIZE:
            raise ExpressionError(f"cannot store '{name}': larger than {MAX_STORED_SIZE} characters/elements")
        problem = _storable_problem(value)
        if problem is not None:
            raise ExpressionError(f"cannot store '{name}' in task data: {problem}")
    # Commit only now, so a failing script leaves the data untouched.
    for name in runner.deleted:
        data.pop(name, None)
    for name in runner.written:
        data[name] = working[name]


def execute(
    script: str,
    names: MutableMapping[str, Any],
    functions: Mapping[str, Callable[..., Any]] | None = None,
) -> None:
    """Run a script of simple statements, updating ``names`` only if it all succeeds.

    Raises :class:`ExpressionError`; on error ``names`` is left unchanged.
    """
    _execute(script, names, {}, _merged(functions))


# --------------------------------------------------------------------------- SpiffWorkflow integration


class SafeEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]  # SpiffWorkflow has no type information (no py.typed): its classes are Any
    """Script environment that interprets instead of calling eval/exec.

    Task data wins over ``external_context`` (as in SpiffWorkflow's own
    environment); functions never end up in task data.
    """

    def __init__(self, extra_functions: Mapping[str, Callable[..., Any]] | None = None) -> None:
        super().__init__({})
        self.functions: dict[str, Callable[..., Any]] = {**DEFAULT_FUNCTIONS, **(extra_functions or {})}

    def evaluate(
        self, expression: str, context: Mapping[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        names: Mapping[str, Any] = (
            ChainMap(cast(MutableMapping[str, Any], context), cast(MutableMapping[str, Any], external_context))
            if external_context else context)
        return _evaluate(expression, names, self.functions)

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        _execute(script, context, external_context or {}, self.functions)
        return True

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise ExpressionError("service tasks are not supported")


class SafeScriptEngine(PythonScriptEngine):  # type: ignore[misc]  # SpiffWorkflow has no type information (no py.typed): its classes are Any
    """SpiffWorkflow script engine backed by the safe interpreter.

    ``extra_functions`` (e.g. ``{'nu': ..., 'vandaag': ...}`` from the clock
    seam) are called when an expression calls them, so they see the current
    (possibly frozen) time. Errors surface as ``WorkflowTaskException`` whose
    ``__cause__`` is the :class:`ExpressionError`.
    """

    def __init__(
        self,
        extra_functions: Mapping[str, Callable[..., Any]] | None = None,
        environment: SafeEnvironment | None = None,
    ) -> None:
        super().__init__(environment=environment or SafeEnvironment(extra_functions))

    def validate(self, expression: str) -> None:
        """SyntaxError if unparsable (DMN relies on that), ExpressionError if forbidden."""
        _prepare_source(expression, "eval")
        _compile(expression, "eval")

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {exc}", task=task, exception=exc
            ) from exc

    def execute(self, task: Any, script: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except SpiffWorkflowException:
            raise
        except Exception as exc:
            line_number = getattr(exc, "lineno", None) or 0
            lines = script.splitlines() if isinstance(script, str) else []
            error_line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
            raise WorkflowTaskException(
                f"Error executing script: {exc}",
                task=task,
                exception=exc,
                line_number=line_number,
                error_line=error_line,
            ) from exc

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise ExpressionError("service tasks are not supported")
