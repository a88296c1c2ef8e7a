"""CUDA C elementwise kernels run on NumPy: the small subset that xpgrad's fused kernels use.

A fused kernel (``cupy.ElementwiseKernel``) is a few lines of CUDA C run once per element.
Without a GPU nothing would ever run them, so the ``fakegpu`` stand-in device translates
them into NumPy code instead: each statement becomes one whole-array NumPy expression,
which is equivalent for elementwise code (no element reads another's values). What the
translation keeps from C, so that a kernel computes here what it would compute on a GPU:

* **C's types.** Every expression has a static C type (``bool``, ``int``, ``half``,
  ``float``, ``double``), and operands are converted by C's usual arithmetic conversions
  before each operation, so NumPy computes in the type C would: ``x * 0.5`` with a float
  ``x`` is a double product (``0.5`` is a double literal), ``x * 0.5f`` a float one,
  ``int * float`` is float (NumPy alone would answer float64). Assignments convert to the
  declared type of their target, and ``(T)1``-style casts are real casts.
* **CuPy's calling convention.** ``in_params`` then ``out_params``; placeholder types such
  as ``T`` take their dtype from the arguments (all must agree); arrays broadcast together
  and every output must have the broadcast shape; outputs are updated in place (read them
  before assigning them and you see their old values, as in CUDA).

The subset: declarations ``T x = expr;``, assignments ``x = expr;`` (and ``+= -= *= /=``),
``+ - * /``, unary ``- + !``, comparisons, ``&& ||``, the ternary ``c ? a : b``, casts to
``bool``/``int``/``float``/``double`` or a placeholder, numeric literals (``1``, ``0.5``,
``0.5f``, ``1e-3``), calls to ``sqrt exp log tanh fabs pow fmax fmin copysign`` (and their
``f``-suffixed float forms), ``max``/``min``, and the helper functions the ``preamble``
defines: ``[template <typename T>] __device__ RET name(TYPE a, ...) { ...; return expr; }``.
Anything else (``if``, loops, ``%``, bit operations, indexing, CuPy's ``i``...) raises
:class:`NotImplementedError` naming the construct and its line, when the kernel is made;
source that CUDA would reject (an undeclared name, an assignment to an input) raises
:class:`KernelSourceError`, also when it is made.

Where the translation follows CUDA rather than NumPy: ``max``/``min``/``fmax``/``fmin``
ignore a NaN operand (CUDA's ``fmaxf``); a ternary with a uniform condition evaluates only
the branch it takes; and no floating-point warning is raised (a GPU flags none: an
overflow gives inf, an invalid operation NaN, silently).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["InterpretedKernel", "KernelSourceError"]


class KernelSourceError(ValueError):
    """Kernel source that CUDA's compiler would reject as well: an undeclared name, an
    assignment to an input argument, a name declared twice, a syntax error."""


# --------------------------------------------------------------------------- C types
# The subset's scalar types, ranked for C's usual arithmetic conversions. "long" is
# CuPy's ``long long`` (int64: class labels); it reaches a kernel only through an int64
# argument (its name is refused in the source: cast with the placeholder instead).
_RANK = {"bool": 0, "int": 1, "long": 2, "half": 3, "float": 4, "double": 5}
_DTYPE = {
    "bool": np.dtype(np.bool_),
    "int": np.dtype(np.int32),
    "long": np.dtype(np.int64),
    "half": np.dtype(np.float16),
    "float": np.dtype(np.float32),
    "double": np.dtype(np.float64),
}
_CTYPE_OF = {dtype: ctype for ctype, dtype in _DTYPE.items()}
# Concrete type names of CuPy's argument lists (NumPy's names) that the subset supports.
_PARAM_TYPES = {"bool": "bool", "int32": "int", "int64": "long", "float16": "half",
                "float32": "float", "float64": "double"}
# Type names usable in the body and the preamble (besides the kernel's placeholders).
_C_TYPES = {"bool": "bool", "int": "int", "float": "float", "double": "double"}
_OTHER_C_TYPES = frozenset({"char", "short", "long", "unsigned", "signed", "size_t",
                            "ptrdiff_t", "half", "float16", "complex", "void", "auto"})
_STATEMENT_KEYWORDS = frozenset({"if", "else", "for", "while", "do", "switch", "case",
                                 "default", "break", "continue", "goto", "return"})
_OTHER_KEYWORDS = frozenset({"sizeof", "struct", "union", "enum", "typedef", "static",
                             "extern", "volatile", "register", "__syncthreads", "atomicAdd",
                             "new", "delete", "this"})
_QUALIFIERS = frozenset({"__device__", "__host__", "__forceinline__", "inline", "static"})

# C operators and punctuation outside the subset, with what to call them in errors.
_UNSUPPORTED_TOKENS = {
    "%": "the remainder operator '%'",
    "&": "the bitwise (or address-of) operator '&'",
    "|": "the bitwise operator '|'",
    "^": "the bitwise operator '^'",
    "~": "the bitwise operator '~'",
    "<<": "the shift operator '<<'",
    ">>": "the shift operator '>>'",
    "[": "indexing '[...]' (an elementwise kernel sees one element of each argument)",
    ".": "member access '.'",
    "->": "member access '->'",
    "++": "the increment operator '++'",
    "--": "the decrement operator '--'",
    "{": "a block '{ ... }'",
    "}": "a block '{ ... }'",
    "#": "a preprocessor directive '#'",
    ",": "',' (several declarators in one declaration, or the comma operator)",
    "=": "an assignment inside an expression",
    "+=": "an assignment inside an expression",
    "-=": "an assignment inside an expression",
    "*=": "an assignment inside an expression",
    "/=": "an assignment inside an expression",
    "%=": "the compound assignment '%='",
    "&=": "the compound assignment '&='",
    "|=": "the compound assignment '|='",
    "^=": "the compound assignment '^='",
    "<<=": "the compound assignment '<<='",
    ">>=": "the compound assignment '>>='",
}

# Math functions: name -> (NumPy function, arity, result type rule). "real": the operands'
# common type, int promoted to double (C++'s overloads); "float": the f-suffixed C forms;
# "common": the operands' common type (max/min keep int). max/min map to fmax/fmin, which
# ignore a NaN operand as CUDA's fmaxf does (np.maximum would propagate it).
_MATH: dict[str, tuple[str, int, str]] = {
    "sqrt": ("np.sqrt", 1, "real"), "exp": ("np.exp", 1, "real"), "log": ("np.log", 1, "real"),
    "fabs": ("np.fabs", 1, "real"), "pow": ("np.power", 2, "real"),
    "fmax": ("np.fmax", 2, "real"), "fmin": ("np.fmin", 2, "real"),
    "copysign": ("np.copysign", 2, "real"), "tanh": ("np.tanh", 1, "real"),
    "sqrtf": ("np.sqrt", 1, "float"), "expf": ("np.exp", 1, "float"),
    "logf": ("np.log", 1, "float"), "fabsf": ("np.fabs", 1, "float"),
    "powf": ("np.power", 2, "float"), "fmaxf": ("np.fmax", 2, "float"),
    "fminf": ("np.fmin", 2, "float"), "copysignf": ("np.copysign", 2, "float"),
    "tanhf": ("np.tanh", 1, "float"),
    "max": ("np.fmax", 2, "common"), "min": ("np.fmin", 2, "common"),
}


def _usual(a: str, b: str) -> str:
    """C's usual arithmetic conversions: the higher-ranked type, integers at least int."""
    return max(a, b, "int", key=_RANK.__getitem__)


# --------------------------------------------------------------------------- tokens
_TOKEN = re.compile(
    r"""(?P<skip>\s+|//[^\n]*|/\*.*?\*/)
      | (?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?\w*)
      | (?P<name>[A-Za-z_]\w*)
      | (?P<op>\+\+|--|->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=
               |[-+*/%<>=!?:;,(){}\[\]&|^~.\#])""",
    re.S | re.X,
)


@dataclass(frozen=True)
class _Token:
    """One token of the source, with its line for error messages."""

    kind: str  # "number", "name", "op" or "end"
    text: str
    line: int


def _tokenize(source: str, where: str) -> list[_Token]:
    """The source's tokens, comments and whitespace dropped, an "end" token last."""
    tokens, pos, line = [], 0, 1
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise NotImplementedError(
                f"{where}, line {line}: the character {source[pos]!r} is outside the CUDA C "
                "subset the stand-in device interprets"
            )
        if match.lastgroup != "skip":
            tokens.append(_Token(match.lastgroup or "", match.group(), line))
        line += match.group().count("\n")
        pos = match.end()
    tokens.append(_Token("end", "end of source", line))
    return tokens


# --------------------------------------------------------------------------- syntax tree
# Expressions are tuples: ("lit", ctype, value), ("name", name), ("call", name, args),
# ("cast", type_name, expr), ("unary", op, expr), ("binary", op, left, right),
# ("ternary", cond, if_true, if_false). Statements: ("decl", type_name, name, expr, line)
# and ("assign", op, name, expr, line).
_Expr = tuple


@dataclass
class _Function:
    """A preamble helper: ``[template <typename P, ...>] RET name(TYPE a, ...) { ... }``."""

    name: str
    placeholders: tuple[str, ...]
    returns: str
    params: list[tuple[str, str]]
    statements: list[tuple]
    result: _Expr


class _Parser:
    """Recursive descent over one source text (the body, or the preamble)."""

    def __init__(self, source: str, where: str, type_names: frozenset[str]) -> None:
        self.tokens = _tokenize(source, where)
        self.pos = 0
        self.where = where
        self.type_names = type_names  # placeholders in scope, besides the C type names

    # -- token helpers
    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.pos += 1
        return token

    def unsupported(self, construct: str, token: _Token | None = None) -> NotImplementedError:
        line = (token or self.peek()).line
        return NotImplementedError(
            f"{self.where}, line {line}: {construct} is outside the CUDA C subset the "
            "stand-in device interprets (see backends/cuda_subset.py)"
        )

    def error(self, message: str, token: _Token | None = None) -> KernelSourceError:
        return KernelSourceError(f"{self.where}, line {(token or self.peek()).line}: {message}")

    def refuse(self, token: _Token) -> Exception:
        """The error for a token found where the subset has no use for it."""
        if token.kind == "op" and token.text in _UNSUPPORTED_TOKENS:
            return self.unsupported(_UNSUPPORTED_TOKENS[token.text], token)
        if token.kind == "name" and token.text in _STATEMENT_KEYWORDS:
            return self.unsupported(f"'{token.text}' (the subset is straight-line code; "
                                    "choose values with the ternary c ? a : b)", token)
        if token.kind == "name" and (token.text in _OTHER_KEYWORDS
                                     or token.text in _OTHER_C_TYPES):
            return self.unsupported(f"'{token.text}'", token)
        return self.error(f"unexpected {token.text!r}", token)

    def expect(self, text: str) -> _Token:
        token = self.peek()
        if token.text != text or token.kind == "end":
            raise self.refuse(token) if token.kind != "end" else self.error(
                f"expected {text!r}, found the end of the source", token)
        return self.take()

    def is_type(self, token: _Token) -> bool:
        return token.kind == "name" and (token.text in _C_TYPES or token.text in self.type_names)

    # -- statements
    def statements(self, stop: str | None = None) -> list[tuple]:
        """Declarations and assignments up to ``stop`` (a keyword or "}") or the end."""
        out: list[tuple] = []
        while True:
            token = self.peek()
            if token.kind == "end" or (stop is not None and token.text == stop):
                return out
            if token.text == ";":
                self.take()
                continue
            if token.text == "const":
                self.take()
                token = self.peek()
                if not self.is_type(token):
                    raise self.refuse(token)
            if self.is_type(token) and self.peek(1).kind == "name":
                type_name = self.take().text
                name = self.take()
                if self.peek().text != "=":
                    if self.peek().text == ";":
                        raise self.unsupported("a declaration without an initialiser", name)
                    raise self.refuse(self.peek())
                self.take()
                out.append(("decl", type_name, name.text, self.expression(), name.line))
                self.expect(";")
            elif token.kind == "name" and self.peek(1).text in ("=", "+=", "-=", "*=", "/="):
                name = self.take()
                op = self.take().text
                out.append(("assign", op, name.text, self.expression(), name.line))
                self.expect(";")
            elif token.kind == "name" and self.peek(1).text in ("++", "--"):
                raise self.refuse(self.peek(1))
            elif token.kind == "name" and token.text in _OTHER_C_TYPES:
                raise self.unsupported(f"the type '{token.text}' (the subset has bool, int, "
                                       "float, double and the kernel's placeholders)", token)
            elif token.kind == "name" and self.peek(1).kind == "name":
                raise self.error(f"unknown type {token.text!r} (not a C type of the subset "
                                 "nor a placeholder of the kernel's arguments)", token)
            elif token.kind == "name" and token.text not in _STATEMENT_KEYWORDS | _OTHER_KEYWORDS:
                raise self.unsupported("an expression statement (only declarations and "
                                       "assignments)", token)
            else:
                raise self.refuse(token)

    # -- expressions, by C precedence
    def expression(self) -> _Expr:
        cond = self.binary(0)
        if self.peek().text != "?":
            return cond
        self.take()
        if_true = self.expression()
        self.expect(":")
        return ("ternary", cond, if_true, self.expression())

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/"))

    def binary(self, level: int) -> _Expr:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek().kind == "op" and self.peek().text in self._LEVELS[level]:
            op = self.take().text
            left = ("binary", op, left, self.binary(level + 1))
        return left

    def unary(self) -> _Expr:
        token = self.peek()
        if token.text in ("-", "+", "!"):
            self.take()
            return ("unary", token.text, self.unary())
        if token.text == "(" and self.is_type(self.peek(1)) and self.peek(2).text == ")":
            self.take()
            type_name = self.take().text
            self.take()
            return ("cast", type_name, self.unary())
        if token.text == "(" and self.peek(1).text in _OTHER_C_TYPES and self.peek(2).text == ")":
            raise self.unsupported(f"a cast to '{self.peek(1).text}'", token)
        return self.primary()

    def primary(self) -> _Expr:
        token = self.take()
        if token.kind == "number":
            return _literal(token, self)
        if token.text in ("true", "false"):
            return ("lit", "bool", token.text == "true")
        if token.kind == "name" and not (token.text in _STATEMENT_KEYWORDS
                                         or token.text in _OTHER_KEYWORDS
                                         or token.text in _OTHER_C_TYPES):
            if self.peek().text == "(":
                self.take()
                args: list[_Expr] = []
                if self.peek().text != ")":
                    args.append(self.expression())
                    while self.peek().text == ",":
                        self.take()
                        args.append(self.expression())
                self.expect(")")
                return ("call", token.text, args, token.line)
            return ("name", token.text, token.line)
        if token.text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if token.kind == "end":
            raise self.error("expected an expression, found the end of the source", token)
        raise self.refuse(token)

    # -- the preamble
    def functions(self) -> dict[str, _Function]:
        found: dict[str, _Function] = {}
        while self.peek().kind != "end":
            placeholders: tuple[str, ...] = ()
            if self.peek().text == "template":
                self.take()
                self.expect("<")
                names = []
                while True:
                    if self.peek().text not in ("typename", "class"):
                        raise self.unsupported("a template parameter that is not a type")
                    self.take()
                    names.append(self.take().text)
                    if self.peek().text != ",":
                        break
                    self.take()
                self.expect(">")
                placeholders = tuple(names)
            while self.peek().text in _QUALIFIERS:
                self.take()
            if self.peek().text in _UNSUPPORTED_TOKENS:
                raise self.refuse(self.peek())
            outer_types = self.type_names
            self.type_names = outer_types | frozenset(placeholders)
            returns = self.peek()
            if not self.is_type(returns):
                raise self.unsupported(
                    f"{returns.text!r} in the preamble (the subset's preamble holds helper "
                    "functions: [template <typename T>] __device__ T name(T a, ...) "
                    "{ ...; return expr; })", returns)
            self.take()
            name = self.take()
            if name.kind != "name":
                raise self.refuse(name)
            if self.peek().text != "(":
                raise self.unsupported(f"the global variable {name.text!r} in the preamble "
                                       "(the subset's preamble holds helper functions)", name)
            self.expect("(")
            params: list[tuple[str, str]] = []
            while self.peek().text != ")":
                if self.peek().text == "const":
                    self.take()
                if not self.is_type(self.peek()):
                    raise self.refuse(self.peek())
                type_name = self.take().text
                param = self.take()
                if param.kind != "name":
                    raise self.refuse(param)
                params.append((type_name, param.text))
                if self.peek().text == ",":
                    self.take()
                elif self.peek().text != ")":
                    raise self.refuse(self.peek())
            self.take()
            self.expect("{")
            statements = self.statements(stop="return")
            self.expect("return")
            result = self.expression()
            self.expect(";")
            if self.peek().text != "}":
                raise self.unsupported("statements after 'return'")
            self.take()
            self.type_names = outer_types
            if name.text in found or name.text in _MATH:
                raise self.error(f"the helper {name.text!r} is defined twice", name)
            found[name.text] = _Function(name.text, placeholders, returns.text, params,
                                         statements, result)
        return found


def _literal(token: _Token, parser: _Parser) -> _Expr:
    match = re.fullmatch(r"(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?([fF]?)", token.text)
    if match is None:
        raise parser.unsupported(f"the literal {token.text!r} (hexadecimal, or a suffix "
                                 "other than f)", token)
    mantissa, exponent, suffix = match.groups()
    if exponent is None and "." not in mantissa:
        if suffix:
            raise parser.error(f"{token.text!r} is not a valid literal", token)
        if len(mantissa) > 1 and mantissa.startswith("0"):
            raise parser.unsupported(f"the octal literal {token.text!r}", token)
        if int(mantissa) > np.iinfo(np.int32).max:
            raise parser.unsupported(f"the integer literal {token.text!r} (beyond int)", token)
        return ("lit", "int", int(mantissa))
    text = mantissa + (exponent or "")
    # A float literal rounds straight from the decimal text, as a C compiler does.
    return ("lit", "float", np.float32(text)) if suffix else ("lit", "double", float(text))


# Elements per piece: a large launch runs in pieces of about this many elements, rows of
# its first axis at a time. Each operation of a translated kernel makes a temporary array;
# whole-sized, a few megabytes of them are freed together at the end of a launch, handed
# back to the OS and faulted in again at the next one. Measured on Adam's kernel for a
# 784x300 float32 parameter: 6 ms a launch whole, 1.3 ms in pieces of 2**15 (0.55 ms for
# the in-place NumPy update); pieces of 2**16 float64 elements (512 KiB temporaries) are
# already as slow as whole launches.
_PIECE = 1 << 15


def _pieces(shape: tuple[int, ...]) -> list[slice] | None:
    """Row ranges of the first axis that split a launch of ``shape`` into pieces of about
    :data:`_PIECE` elements, or None for one piece (small launches, or huge rows)."""
    size = math.prod(shape)
    if size <= _PIECE:
        return None
    rows = max(1, _PIECE * shape[0] // size)
    if rows >= shape[0]:
        return None
    return [slice(start, start + rows) for start in range(0, shape[0], rows)]


# --------------------------------------------------------------------------- run-time helpers
def _as(value: Any, dtype: np.dtype) -> Any:
    """A C conversion: ``(float)x`` (rounds to nearest; float to int truncates, as in C)."""
    return value.astype(dtype) if isinstance(value, np.ndarray) else dtype.type(value)


def _select(cond: Any, if_true: Callable[[], Any], if_false: Callable[[], Any]) -> Any:
    """``cond ? a : b``: only the branch taken where the condition is uniform, else both,
    picked per element."""
    if isinstance(cond, np.ndarray) and cond.ndim:
        return np.where(cond, if_true(), if_false())
    return if_true() if cond else if_false()


def _idiv(a: Any, b: Any) -> Any:
    """C's integer division, which truncates towards zero (Python's // floors)."""
    quotient = np.abs(a) // np.abs(b)
    return _as(np.where((a < 0) != (b < 0), -quotient, quotient), np.result_type(a, b))


# --------------------------------------------------------------------------- translation
@dataclass
class _Value:
    """A translated expression: its Python code and its C type."""

    code: str
    ctype: str
    const: Any = None  # the value, when known at translation time (literals and their casts)


@dataclass
class _Var:
    """A name in scope: an argument, a local or a helper's parameter."""

    pyname: str
    ctype: str
    kind: str  # "in" (const), "out", "local"


@dataclass
class _Translation:
    """Python source for one binding of the placeholders: the function being written
    (``lines``), the helpers it calls (``defs``) and the globals both need."""

    lines: list[str] = field(default_factory=list)
    defs: list[str] = field(default_factory=list)
    globals: dict[str, Any] = field(default_factory=dict)
    helpers: dict[tuple, tuple[str, str]] = field(default_factory=dict)

    def constant(self, value: Any) -> str:
        for name, known in self.globals.items():
            if name.startswith("_k") and type(known) is type(value) and known == value:
                return name
        name = f"_k{sum(n.startswith('_k') for n in self.globals)}"
        self.globals[name] = value
        return name

    def dtype(self, ctype: str) -> str:
        name = f"_dt_{ctype}"
        self.globals[name] = _DTYPE[ctype]
        return name


class _Scope:
    """Names visible in one function: the kernel's arguments, or a helper's parameters."""

    def __init__(self, kernel: InterpretedKernel, out: _Translation, types: dict[str, str],
                 where: str) -> None:
        self.kernel = kernel
        self.out = out
        self.types = types  # placeholder -> C type
        self.vars: dict[str, _Var] = {}
        self.assigned: list[str] = []
        self.where = where

    def error(self, line: int, message: str) -> KernelSourceError:
        return KernelSourceError(f"{self.where}, line {line}: {message}")

    def ctype(self, type_name: str) -> str:
        return self.types.get(type_name) or _C_TYPES[type_name]

    def convert(self, value: _Value, ctype: str) -> _Value:
        """``value`` converted to ``ctype`` as C converts (constants folded here)."""
        if value.ctype == ctype:
            return value
        if value.const is not None:
            const = _DTYPE[ctype].type(value.const)
            return _Value(self.out.constant(const), ctype, const)
        return _Value(f"_as({value.code}, {self.out.dtype(ctype)})", ctype)

    def statement(self, statement: tuple, indent: str) -> None:
        """Translate a declaration or an assignment into one Python assignment."""
        kind, type_or_op, name, expr, line = statement
        value = self.expr(expr)
        if kind == "decl":
            if name in self.vars:
                raise self.error(line, f"{name!r} is declared twice")
            ctype = self.ctype(type_or_op)
            self.vars[name] = _Var(f"c_{name}", ctype, "local")
        else:
            var = self.vars.get(name)
            if var is None:
                raise self.error(line, f"assignment to the undeclared name {name!r}")
            if var.kind == "in":
                raise self.error(line, f"assignment to the input argument {name!r} (CuPy "
                                       "passes inputs as const; make it an output)")
            if type_or_op != "=":
                value = self.arith(type_or_op[0], _Value(var.pyname, var.ctype), value)
            ctype = var.ctype
            if var.kind == "out" and name not in self.assigned:
                self.assigned.append(name)
        self.out.lines.append(f"{indent}c_{name} = {self.convert(value, ctype).code}")

    def arith(self, op: str, left: _Value, right: _Value) -> _Value:
        """``left op right`` for ``+ - * /``, in the operands' common C type."""
        ctype = _usual(left.ctype, right.ctype)
        a, b = self.convert(left, ctype), self.convert(right, ctype)
        if op == "/" and ctype in ("int", "long"):
            return _Value(f"_idiv({a.code}, {b.code})", ctype)
        return _Value(f"({a.code} {op} {b.code})", ctype)

    def expr(self, node: _Expr) -> _Value:  # noqa: C901 - one case per construct
        """Translate an expression tree, typing each node as C does."""
        kind = node[0]
        if kind == "lit":
            const = _DTYPE[node[1]].type(node[2])
            return _Value(self.out.constant(const), node[1], const)
        if kind == "name":
            name, line = node[1], node[2]
            var = self.vars.get(name)
            if var is not None:
                return _Value(var.pyname, var.ctype)
            if name in ("i", "n") or name.startswith("_"):
                raise NotImplementedError(
                    f"{self.where}, line {line}: CuPy's reserved name {name!r} (the element "
                    "index and size) is outside the CUDA C subset the stand-in interprets")
            raise self.error(line, f"the undeclared name {name!r}")
        if kind == "cast":
            return self.convert(self.expr(node[2]), self.ctype(node[1]))
        if kind == "unary":
            op, operand = node[1], self.expr(node[2])
            if op == "!":
                operand = self.convert(operand, "bool")
                return _Value(f"np.logical_not({operand.code})", "bool")
            operand = self.convert(operand, _usual(operand.ctype, "int"))
            return _Value(f"({op}{operand.code})", operand.ctype)
        if kind == "binary":
            op, left, right = node[1], self.expr(node[2]), self.expr(node[3])
            if op in ("&&", "||"):
                a, b = self.convert(left, "bool"), self.convert(right, "bool")
                function = "np.logical_and" if op == "&&" else "np.logical_or"
                return _Value(f"{function}({a.code}, {b.code})", "bool")
            if op in ("+", "-", "*", "/"):
                return self.arith(op, left, right)
            ctype = _usual(left.ctype, right.ctype)
            a, b = self.convert(left, ctype), self.convert(right, ctype)
            return _Value(f"({a.code} {op} {b.code})", "bool")
        if kind == "ternary":
            cond = self.convert(self.expr(node[1]), "bool")
            a, b = self.expr(node[2]), self.expr(node[3])
            ctype = a.ctype if a.ctype == b.ctype else _usual(a.ctype, b.ctype)
            a, b = self.convert(a, ctype), self.convert(b, ctype)
            return _Value(f"_select({cond.code}, lambda: {a.code}, lambda: {b.code})", ctype)
        if kind == "call":
            return self.call(node[1], [self.expr(arg) for arg in node[2]], node[3])
        raise AssertionError(node)  # pragma: no cover - the parser makes no other nodes

    def call(self, name: str, args: list[_Value], line: int) -> _Value:
        """A math function of the subset, or a preamble helper (instantiated for the
        argument types, as C++ instantiates a template)."""
        if name in _MATH:
            function, arity, rule = _MATH[name]
            if len(args) != arity:
                raise self.error(line, f"{name} takes {arity} argument(s), got {len(args)}")
            if rule == "float":
                ctype = "float"
            else:
                ctype = args[0].ctype if arity == 1 else _usual(args[0].ctype, args[1].ctype)
                if rule == "real" and _RANK[ctype] < _RANK["half"]:
                    ctype = "double"
            codes = ", ".join(self.convert(arg, ctype).code for arg in args)
            return _Value(f"{function}({codes})", ctype)
        helper = self.kernel.helpers.get(name)
        if helper is None:
            raise NotImplementedError(
                f"{self.where}, line {line}: a call to {name!r} (neither a math function of "
                "the subset nor a helper the preamble defines) is outside the CUDA C subset "
                "the stand-in device interprets")
        if len(args) != len(helper.params):
            raise self.error(line, f"{name} takes {len(helper.params)} argument(s), "
                                   f"got {len(args)}")
        deduced: dict[str, str] = {}
        for (type_name, param), arg in zip(helper.params, args, strict=True):
            if type_name in helper.placeholders:
                if deduced.setdefault(type_name, arg.ctype) != arg.ctype:
                    raise self.error(line, f"{name}: template argument deduction failed: "
                                           f"{type_name} is both {deduced[type_name]} and "
                                           f"{arg.ctype} (argument {param!r})")
        missing = [p for p in helper.placeholders if p not in deduced]
        if missing:
            raise self.error(line, f"{name}: cannot deduce the template parameter(s) {missing}")
        pyname, returns = self.kernel._instantiate(helper, deduced, self.out)
        types = {**self.types, **deduced}
        ctypes = [types.get(t) or _C_TYPES[t] for t, _ in helper.params]
        codes = ", ".join(self.convert(arg, ct).code for arg, ct in zip(args, ctypes, strict=True))
        return _Value(f"{pyname}({codes})", returns)


@dataclass(frozen=True)
class _Param:
    """One kernel argument from ``in_params`` or ``out_params``."""

    name: str
    type_name: str  # a placeholder such as "T", or a key of _PARAM_TYPES
    placeholder: bool


def _parse_params(text: str, where: str, role: str) -> list[_Param]:
    """CuPy's argument list, ``"T grad, int32 first"``, as :class:`_Param` objects."""
    params = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        if words[0] == "raw":
            raise NotImplementedError(f"{where}: the raw argument {part.strip()!r} (indexed "
                                      "access) is outside the CUDA C subset the stand-in "
                                      "interprets")
        if len(words) != 2 or not re.fullmatch(r"[A-Za-z_]\w*", words[1]):
            raise KernelSourceError(f"{where}: cannot read the {role} argument {part.strip()!r}"
                                    " (expected 'TYPE name')")
        type_name, name = words
        if type_name in _PARAM_TYPES:
            params.append(_Param(name, type_name, False))
        elif re.fullmatch(r"[A-Z]\w*", type_name):
            params.append(_Param(name, type_name, True))
        else:
            raise NotImplementedError(f"{where}: the argument type {type_name!r} of {name!r} "
                                      f"is outside the subset (it has {sorted(_PARAM_TYPES)} "
                                      "and placeholders such as T)")
    return params


class InterpretedKernel:
    """A ``cupy.ElementwiseKernel`` look-alike that runs its CUDA C body with NumPy.

    The source is parsed when the kernel is made (so unsupported constructs fail then, not
    mid-training) and translated into a Python function once per binding of its placeholder
    types, on the first call with those dtypes. Call it like CuPy's kernel, with the inputs
    then the outputs (NumPy arrays; NumPy scalars of the placeholder's dtype, Python or
    NumPy scalars for concrete types); the outputs are updated in place and returned.

    Stricter than CuPy on one point, on purpose: a scalar for a placeholder argument must
    be a NumPy scalar of the placeholder's dtype (``param.dtype.type(lr)``), not a Python
    float, so that a float32 kernel is never handed a float64 value.
    """

    def __init__(self, in_params: str, out_params: str, body: str, name: str,
                 preamble: str = "") -> None:
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise KernelSourceError(f"the kernel name {name!r} is not a C identifier")
        self.name = name
        self.body = body
        self.preamble = preamble
        self.inputs = _parse_params(in_params, name, "input")
        self.outputs = _parse_params(out_params, name, "output")
        names = [p.name for p in self.inputs + self.outputs]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise KernelSourceError(f"{name}: the argument(s) {duplicates} are declared twice")
        reserved = [n for n in names if n in ("i", "n") or n.startswith("_")]
        if reserved:
            raise KernelSourceError(f"{name}: {reserved} are reserved by CuPy (i, n, _*)")
        self.placeholders = sorted({p.type_name for p in self.inputs + self.outputs
                                    if p.placeholder})
        placeholders = frozenset(self.placeholders)
        self.helpers = _Parser(preamble, f"{name} preamble", frozenset()).functions()
        self.statements = _Parser(body, name, placeholders).statements()
        self._compiled: dict[tuple[str, ...], tuple[Callable[..., Any], list[int], str]] = {}
        # A first translation, with every placeholder float, finds what the parse cannot
        # (undeclared names, unknown functions) now rather than at the first launch.
        self._translate(dict.fromkeys(self.placeholders, "float"))

    # -- translation
    def _instantiate(self, helper: _Function, deduced: dict[str, str],
                     out: _Translation) -> tuple[str, str]:
        """The Python function for ``helper`` with its placeholders bound to ``deduced``
        (written once per binding): its name and its C return type."""
        key = (helper.name, tuple(sorted(deduced.items())))
        if key not in out.helpers:
            pyname = f"_h{len(out.helpers)}_{helper.name}"
            types = dict(deduced)
            scope = _Scope(self, out, types, f"{self.name} preamble, {helper.name}")
            params = []
            for type_name, param in helper.params:
                scope.vars[param] = _Var(f"c_{param}", types.get(type_name)
                                         or _C_TYPES[type_name], "local")
                params.append(f"c_{param}")
            returns = scope.ctype(helper.returns)
            out.helpers[key] = (pyname, returns)  # before the body: recursion resolves
            body = _Translation(defs=out.defs, globals=out.globals, helpers=out.helpers)
            scope.out = body
            body.lines.append(f"def {pyname}({', '.join(params)}):")
            for statement in helper.statements:
                scope.statement(statement, "    ")
            result = scope.convert(scope.expr(helper.result), returns)
            body.lines.append(f"    return {result.code}")
            out.defs.extend([*body.lines, ""])
        return out.helpers[key]

    def _translate(self, types: dict[str, str]) -> tuple[str, dict[str, Any], list[int]]:
        """The kernel as Python source for one binding of its placeholders, the globals
        that source needs, and the positions of the outputs it assigns (in its order)."""
        out = _Translation()
        scope = _Scope(self, out, types, self.name)
        params = []
        for index, param in enumerate(self.inputs + self.outputs):
            kind = "in" if index < len(self.inputs) else "out"
            ctype = types[param.type_name] if param.placeholder else _PARAM_TYPES[
                param.type_name]
            scope.vars[param.name] = _Var(f"c_{param.name}", ctype, kind)
            params.append(f"c_{param.name}")
        for statement in self.statements:
            scope.statement(statement, "    ")
        assigned = [scope.vars[n].pyname for n in scope.assigned]
        lines = [*out.defs, f"def _kernel({', '.join(params)}):  # {self.name}", *out.lines,
                 f"    return ({', '.join(assigned)}{',' if assigned else ''})"]
        order = [p.name for p in self.outputs]
        return "\n".join(lines) + "\n", out.globals, [order.index(n) for n in scope.assigned]

    def python_source(self, **types: Any) -> str:
        """The NumPy code this kernel runs with the placeholders bound to the given dtypes
        (``kernel.python_source(T=np.float32)``): for reading, and for debugging."""
        return self._translate({k: _CTYPE_OF[np.dtype(v)] for k, v in types.items()})[0]

    def _function(self, types: dict[str, str]) -> tuple[Callable[..., Any], list[int]]:
        """The compiled translation for one binding of the placeholders (made once)."""
        key = tuple(types[p] for p in self.placeholders)
        found = self._compiled.get(key)
        if found is None:
            source, namespace, assigned = self._translate(types)
            namespace = {"np": np, "_as": _as, "_select": _select, "_idiv": _idiv, **namespace}
            exec(compile(source, f"<kernel {self.name}>", "exec"), namespace)  # noqa: S102
            found = self._compiled[key] = (namespace["_kernel"], assigned, source)
        return found[0], found[1]

    # -- launching
    def _bind(self, args: tuple[Any, ...]) -> dict[str, str]:
        """Check the arguments' dtypes and decide each placeholder's C type from them."""
        types: dict[str, str] = {}
        for param, value in zip(self.inputs + self.outputs, args, strict=True):
            if isinstance(value, np.ndarray | np.generic):
                dtype = value.dtype
            elif isinstance(value, bool | int | float):
                if param.placeholder:
                    raise TypeError(
                        f"{self.name}: argument {param.name!r} ({param.type_name}) got the "
                        f"Python scalar {value!r}; pass a NumPy scalar of the parameters' "
                        "dtype (param.dtype.type(value)) so a float32 kernel gets float32")
                continue
            else:
                raise TypeError(f"{self.name}: argument {param.name!r} is "
                                f"{type(value).__name__}, not an array or a scalar")
            ctype = _CTYPE_OF.get(dtype)
            if ctype is None:
                raise NotImplementedError(f"{self.name}: argument {param.name!r} has dtype "
                                          f"{dtype}, outside the subset's types {list(_DTYPE)}")
            if not param.placeholder:
                if ctype != _PARAM_TYPES[param.type_name]:
                    raise TypeError(f"{self.name}: argument {param.name!r} is {dtype}, "
                                    f"declared {param.type_name}")
                continue
            bound = types.setdefault(param.type_name, ctype)
            if bound != ctype:
                raise TypeError(f"{self.name}: type is mismatched: {param.type_name} is "
                                f"{_DTYPE[bound]} by an earlier argument and {dtype} by "
                                f"{param.name!r}")
        missing = [p for p in self.placeholders if p not in types]
        if missing:
            raise TypeError(f"{self.name}: cannot decide the type(s) {missing} from the "
                            "arguments")
        return types

    def __call__(self, *args: Any) -> Any:
        """Launch on NumPy arguments: the inputs, then the outputs (updated in place and
        returned, one array or a tuple)."""
        expected = len(self.inputs) + len(self.outputs)
        if len(args) != expected:
            names = ", ".join(p.name for p in self.inputs + self.outputs)
            raise TypeError(f"{self.name}: expects {expected} arguments, the inputs then the "
                            f"outputs ({names}); got {len(args)}")
        outs = args[len(self.inputs):]
        for param, out in zip(self.outputs, outs, strict=True):
            if not isinstance(out, np.ndarray):
                raise TypeError(f"{self.name}: the output {param.name!r} must be an array "
                                f"(updated in place), got {type(out).__name__}")
        types = self._bind(args)
        shape = np.broadcast_shapes(*(a.shape for a in args if isinstance(a, np.ndarray)))
        for param, out in zip(self.outputs, outs, strict=True):
            if out.shape != shape:
                raise ValueError(f"{self.name}: the output {param.name!r} has shape "
                                 f"{out.shape}; the arguments broadcast to {shape}")
        values = list(args)
        for index, (param, value) in enumerate(zip(self.inputs, args, strict=False)):
            if not param.placeholder and not isinstance(value, np.ndarray):
                values[index] = _DTYPE[_PARAM_TYPES[param.type_name]].type(value)
        function, assigned = self._function(types)
        pieces = _pieces(shape)
        if pieces is None:
            parts: Any = [values]
        else:  # every array at full shape first, so that row ranges select the same elements
            values = [np.broadcast_to(v, shape) if isinstance(v, np.ndarray)
                      and v.shape != shape else v for v in values]
            parts = ([v[rows] if isinstance(v, np.ndarray) else v for v in values]
                     for rows in pieces)
        first_out = len(self.inputs)
        with np.errstate(all="ignore"):  # a GPU flags no floating-point errors, nor the
            for part in parts:            # untaken branch of a per-element ternary
                results = list(function(*part))
                targets = [part[first_out + index] for index in assigned]
                arrays = [a for a in part if isinstance(a, np.ndarray)]
                for k, (target, result) in enumerate(zip(targets, results, strict=True)):
                    # A value that is an argument array itself (``a = b;``) is copied before
                    # any output is written: each output gets the value the source gave it,
                    # even where an argument and an output share memory.
                    if any(result is a for a in arrays) and result is not target:
                        results[k] = result.copy()
                for target, result in zip(targets, results, strict=True):
                    # casting="no": the translation types every value as C would, so another
                    # dtype than the output's is a bug of the translation, not to round away.
                    np.copyto(target, result, casting="no")
        return outs[0] if len(outs) == 1 else outs
