"""Safe parsing of what a learner types: expressions, numbers, vectors, matrices and shapes.

Nothing here evaluates learner text as code. An expression is tokenised against a whitelist and built by a small
recursive-descent parser directly out of sympy constructors (never `eval`, `exec` or `sympify` on the text):

    expr  := term (("+" | "-") term)*
    term  := unary (("*" | "/") unary | <implicit ×> unary)*        2x, 2(x+1), (a+b)(a-b)
    unary := ("+" | "-") unary | power
    power := atom ["%"] [("^" | "**") unary]                       right-associative: 2^3^2 = 2^9
    atom  := NUMBER | NAME | FUNCTION "(" expr ("," expr)* ")" | "(" expr ")"

Limits keep every input cheap: length, tokens, nesting depth, the size of any numeric exponent, and the magnitude of
numeric powers. Breaking one raises `TooComplex`; anything else malformed raises `ParseError`. Both carry an English
and a Chinese message.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

import sympy

MAX_CHARS = 1000
MAX_TOKENS = 400
MAX_DEPTH = 40
MAX_EXPONENT = 100  # |n| of any numeric exponent, after sympy combines powers
MAX_DIGITS = 300  # decimal digits of any number the input can produce
MAX_ENTRIES = 10_000  # vector / matrix entries

FUNCTIONS = {
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt, "sin": sympy.sin, "cos": sympy.cos,
    "tan": sympy.tan, "tanh": sympy.tanh, "sinh": sympy.sinh, "cosh": sympy.cosh, "abs": sympy.Abs,
    "max": sympy.Max, "min": sympy.Min, "sigmoid": lambda x: 1 / (1 + sympy.exp(-x)),
}
ARITY = {"max": (2, 8), "min": (2, 8)}  # the rest take exactly one argument
CONSTANTS = {"pi": sympy.pi, "e": sympy.E}

# Characters learners type on Chinese keyboards or copy from formulas, mapped before NFKC normalisation
# (NFKC would turn ² into a plain 2, silently changing x² into the name x2).
_PRE_MAP = {"²": "^2", "³": "^3", "×": "*", "·": "*", "⋅": "*", "−": "-", "–": "-", "÷": "/", "π": "pi", "√": "sqrt",
            "，": ",", "；": ";", "（": "(", "）": ")", "【": "[", "】": "]"}
_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z][A-Za-z0-9]*)"
                    r"|(?P<op>\*\*|[-+*/^(),%]))")


class ParseError(ValueError):
    """The input is not a well-formed answer; `.en` / `.zh` say what is wrong."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.en, self.zh = en, zh


class TooComplex(ParseError):
    """The input breaks a size limit (too long, too deep, an exponent or number too large)."""


def normalise(text: str) -> str:
    """Map look-alike symbols to ASCII and full-width characters to half-width (NFKC)."""
    for src, dst in _PRE_MAP.items():
        text = text.replace(src, dst)
    return unicodedata.normalize("NFKC", text).strip()


def _check_length(text: str) -> None:
    if len(text) > MAX_CHARS:
        raise TooComplex(f"Too long: at most {MAX_CHARS} characters.", f"输入过长：最多 {MAX_CHARS} 个字符。")


def _bad_char(ch: str, pos: int) -> ParseError:
    if ch == "_":
        return ParseError("Underscores are not allowed; write names like x1 or pA.",
                          "不允许使用下划线；请把名称写成 x1 或 pA 这样的形式。")
    if ch.isalpha():
        name = unicodedata.name(ch, "unknown letter")
        return ParseError(f"The letter '{ch}' at position {pos + 1} is not a Latin letter ({name}); retype it.",
                          f"第 {pos + 1} 个字符 '{ch}' 不是拉丁字母（{name}），请重新输入。")
    return ParseError(f"Unexpected character '{ch}' at position {pos + 1}.", f"第 {pos + 1} 个字符 '{ch}' 无法识别。")


@dataclass(frozen=True)
class Token:
    kind: str  # "num" | "name" | "op"
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _bad_char(text[pos], pos)
        kind = m.lastgroup or "op"
        tokens.append(Token(kind, m[kind], m.start(kind)))
        pos = m.end()
        if len(tokens) > MAX_TOKENS:
            raise TooComplex("Too many terms in one answer.", "答案中的项太多。")
    return tokens


def _number(text: str) -> sympy.Rational:
    mantissa, _, exponent = text.lower().partition("e")
    if (exponent and abs(int(exponent)) > MAX_DIGITS) or len(mantissa) > 60:
        raise TooComplex(f"The number {text[:20]}… is too large.", f"数字 {text[:20]}… 太大。")
    value = Fraction(text)
    return sympy.Rational(value.numerator, value.denominator)


class _Parser:
    def __init__(self, tokens: list[Token], symbols: dict[str, sympy.Symbol], functions: frozenset[str]):
        self.tokens, self.i, self.depth = tokens, 0, 0
        self.symbols, self.functions = symbols, functions

    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise ParseError("The answer ends too early (a missing operand or ')'?).",
                             "答案不完整（是否缺少操作数或右括号？）。")
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text != text:
            raise ParseError(f"Expected '{text}' at position {tok.pos + 1}, found '{tok.text}'.",
                             f"第 {tok.pos + 1} 个位置应为 '{text}'，实际为 '{tok.text}'。")

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooComplex("Too deeply nested.", "嵌套层数过多。")

    def parse(self) -> sympy.Expr:
        if not self.tokens:
            raise ParseError("The answer is empty.", "答案为空。")
        result = self.expr()
        tok = self.peek()
        if tok is not None:
            raise ParseError(f"Unexpected '{tok.text}' at position {tok.pos + 1}.",
                             f"第 {tok.pos + 1} 个位置出现了多余的 '{tok.text}'。")
        return result

    def expr(self) -> sympy.Expr:
        result = self.term()
        while (tok := self.peek()) is not None and tok.text in "+-":
            self.take()
            rhs = self.term()
            result = result + rhs if tok.text == "+" else result - rhs
        return result

    def term(self) -> sympy.Expr:
        result = self.unary()
        while (tok := self.peek()) is not None:
            if tok.text in ("*", "/"):
                self.take()
                rhs = self.unary()
                if tok.text == "/" and rhs == 0:
                    raise ParseError("Division by zero.", "除数为零。")
                result = result * rhs if tok.text == "*" else result / rhs
            elif tok.kind in ("name", "num") or tok.text == "(":  # implicit multiplication: 2x, 2(x+1), (a)(b)
                if tok.kind == "num" and self.tokens[self.i - 1].kind == "num":
                    raise ParseError(f"Two numbers in a row at position {tok.pos + 1}; is an operator missing?",
                                     f"第 {tok.pos + 1} 个位置连续出现两个数字，是否漏了运算符？")
                result = result * self.unary()
            else:
                break
            _check_size(result)
        return result

    def unary(self) -> sympy.Expr:
        tok = self.peek()
        if tok is not None and tok.text in "+-":
            self.take()
            self.nest()
            operand = self.unary()
            self.depth -= 1
            return -operand if tok.text == "-" else operand
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.atom()
        if (tok := self.peek()) is not None and tok.text == "%":
            self.take()
            base = base / 100
        if (tok := self.peek()) is not None and tok.text in ("^", "**"):
            self.take()
            self.nest()
            exponent = self.unary()
            self.depth -= 1
            return _safe_pow(base, exponent)
        return base

    def atom(self) -> sympy.Expr:
        tok = self.take()
        if tok.kind == "num":
            return _number(tok.text)
        if tok.text == "(":
            self.nest()
            inner = self.expr()
            self.expect(")")
            self.depth -= 1
            return inner
        if tok.kind == "name":
            return self.name(tok)
        raise ParseError(f"Unexpected '{tok.text}' at position {tok.pos + 1}.",
                         f"第 {tok.pos + 1} 个位置出现了意外的 '{tok.text}'。")

    def name(self, tok: Token) -> sympy.Expr:
        nxt = self.peek()
        if tok.text in self.symbols:
            return self.symbols[tok.text]
        if tok.text in FUNCTIONS and nxt is not None and nxt.text == "(":
            if tok.text not in self.functions:
                raise ParseError(f"The function {tok.text}() is not used in this answer.",
                                 f"此答案中不应使用函数 {tok.text}()。")
            self.take()
            self.nest()
            args = [self.expr()]
            while (sep := self.peek()) is not None and sep.text == ",":
                self.take()
                args.append(self.expr())
            self.expect(")")
            self.depth -= 1
            low, high = ARITY.get(tok.text, (1, 1))
            if not low <= len(args) <= high:
                raise ParseError(f"{tok.text}() takes {low if low == high else f'{low} to {high}'} argument(s).",
                                 f"{tok.text}() 需要 {low if low == high else f'{low} 到 {high}'} 个参数。")
            result = FUNCTIONS[tok.text](*args)
            _check_size(result)
            return result
        if tok.text in CONSTANTS:
            return CONSTANTS[tok.text]
        allowed = ", ".join(sorted(self.symbols)) or "no letters, only numbers"
        allowed_zh = "、".join(sorted(self.symbols)) or "不含字母，只能是数字"
        raise ParseError(f"Unknown name '{tok.text}'. This answer may use: {allowed}.",
                         f"未知名称 '{tok.text}'。此答案可使用：{allowed_zh}。")


def _magnitude_digits(value: sympy.Expr) -> float:
    """Decimal digits of a rational number, cheaply."""
    num, den = value.as_numer_denom()
    return max(len(str(abs(int(num)))), len(str(abs(int(den)))))


def _safe_pow(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    if exponent.is_Number:
        if base.is_Rational and base != 0:  # a plain number such as 2^-149: bounded by its size in digits
            digits = abs(float(exponent)) * max(_magnitude_digits(base), 1)
            if digits > MAX_DIGITS:
                raise TooComplex("That power is too large a number.", "这个幂的数值太大。")
        elif abs(float(exponent)) > MAX_EXPONENT:
            raise TooComplex(f"Exponents are limited to ±{MAX_EXPONENT}.", f"指数的绝对值不能超过 {MAX_EXPONENT}。")
    if base == 0 and exponent.is_Number and exponent <= 0:
        raise ParseError("0 cannot be raised to a zero or negative power.", "0 不能取零次幂或负数次幂。")
    result = sympy.Pow(base, exponent)
    _check_size(result)
    return result


def _check_size(expr: sympy.Expr) -> None:
    """After sympy combines (x^50)^50 into x^2500, enforce the exponent limit on the result too."""
    for node in sympy.preorder_traversal(expr):
        if node.is_Pow and node.exp.is_Number and abs(float(node.exp)) > MAX_EXPONENT:
            raise TooComplex(f"Exponents are limited to ±{MAX_EXPONENT}.", f"指数的绝对值不能超过 {MAX_EXPONENT}。")
        if node.is_Rational and not node.is_Integer and _magnitude_digits(node) > MAX_DIGITS:
            raise TooComplex("A number in the answer is too large.", "答案中的某个数太大。")
        if node.is_Integer and abs(node) > 10**MAX_DIGITS:
            raise TooComplex("A number in the answer is too large.", "答案中的某个数太大。")


def parse_expression(text: str, symbols: tuple[str, ...] = (), functions: tuple[str, ...] = ()) -> sympy.Expr:
    """Learner text → sympy expression in the declared `symbols` (each becomes sympy.Symbol(name))."""
    if not isinstance(text, str):
        raise ParseError("Expected text.", "应输入文本。")
    _check_length(text)
    text = normalise(text)
    _check_length(text)
    allowed = frozenset(functions) if functions else frozenset(FUNCTIONS)
    table = {name: sympy.Symbol(name) for name in symbols}
    return _Parser(tokenize(text), table, allowed).parse()


def parse_number(value: object) -> float:
    """A real number from 0.1306, 13.06%, 1/3, 2^-3, 1e-3, sqrt(2)/2, pi/4, or an int/float."""
    if isinstance(value, bool):
        raise ParseError("Expected a number.", "应输入一个数。")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        expr = parse_expression(value if isinstance(value, str) else str(value))
        if expr.free_symbols or not expr.is_number:
            raise ParseError("Expected a number, not an expression.", "应输入一个数，而不是表达式。")
        try:
            number = float(sympy.N(expr, 17))
        except (TypeError, ValueError, OverflowError):
            raise ParseError("That is not a real number.", "这不是一个实数。") from None
    if not math.isfinite(number):
        raise ParseError("The number must be finite.", "数值必须是有限的。")
    return number


def _split_entries(text: str) -> list[str]:
    text = text.strip()
    parts = [p.strip() for p in text.split(",")] if "," in text else text.split()
    if any(p == "" for p in parts):
        raise ParseError("An entry is empty (two commas in a row?).", "有一项为空（是否连续写了两个逗号？）。")
    return parts


def _strip_brackets(text: str) -> str:
    text = text.strip()
    for prefix in ("torch.tensor(", "tensor(", "np.array(", "array("):
        if text.startswith(prefix) and text.endswith(")"):
            text = text[len(prefix):-1].strip()
    return text


def parse_vector(value: object) -> list[float]:
    """[1, 2, 3] · 1, 2, 3 · 1 2 3 · tensor([1., 2.]) → list of floats."""
    if isinstance(value, (list, tuple)):
        return [parse_number(v) for v in value[:MAX_ENTRIES + 1]]
    if not isinstance(value, str):
        raise ParseError("Expected a list of numbers like [1, 2, 3].", "应输入一组数，例如 [1, 2, 3]。")
    _check_length(value)
    text = _strip_brackets(normalise(value))
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if "[" in text or "]" in text:
        raise ParseError("Expected one list of numbers, like [1, 2, 3].", "应输入一组数，例如 [1, 2, 3]。")
    entries = _split_entries(text)
    if not entries or len(entries) > MAX_ENTRIES:
        raise ParseError("Expected a list of numbers like [1, 2, 3].", "应输入一组数，例如 [1, 2, 3]。")
    return [parse_number(e) for e in entries]


def parse_matrix(value: object) -> list[list[float]]:
    """[[1, 2], [3, 4]] · 1 2; 3 4 · rows on separate lines → list of rows (all the same length)."""
    if isinstance(value, (list, tuple)):
        rows = [parse_vector(row) if isinstance(row, (list, tuple)) else [parse_number(row)] for row in value]
    elif isinstance(value, str):
        _check_length(value)
        text = _strip_brackets(normalise(value))
        if text.startswith("["):
            inner = text[1:-1] if text.endswith("]") else text
            raw_rows = re.findall(r"\[([^\[\]]*)\]", inner)
            if not raw_rows or re.sub(r"\[[^\[\]]*\]|[\s,]", "", inner):
                raise ParseError("Expected rows like [[1, 2], [3, 4]].", "应按行输入，例如 [[1, 2], [3, 4]]。")
        else:
            raw_rows = [r for r in re.split(r"[;\n]", text) if r.strip()]
        rows = [[parse_number(e) for e in _split_entries(r)] for r in raw_rows]
    else:
        raise ParseError("Expected a matrix like [[1, 2], [3, 4]].", "应输入一个矩阵，例如 [[1, 2], [3, 4]]。")
    if not rows or any(len(r) != len(rows[0]) for r in rows):
        raise ParseError("All rows must have the same number of entries.", "每一行的元素个数必须相同。")
    return rows


def parse_shape(value: object) -> tuple[int, ...]:
    """(2, 4) · [2, 4] · 2x4 · 2×4 · torch.Size([2, 4]) · () → tuple of ints."""
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif isinstance(value, str):
        _check_length(value)
        text = normalise(value).replace(" ", "")
        for prefix in ("torch.Size(", "Size("):
            if text.startswith(prefix) and text.endswith(")"):
                text = text[len(prefix):-1]
        if text[:1] in "([" and text[-1:] in ")]":
            text = text[1:-1]
        items = [p for p in re.split(r"[,x*X]", text) if p != ""] if text else []
        if text and not items:
            raise ParseError("Expected a shape like (2, 4).", "应输入形状，例如 (2, 4)。")
    else:
        raise ParseError("Expected a shape like (2, 4).", "应输入形状，例如 (2, 4)。")
    dims = []
    for item in items:
        if isinstance(item, bool) or not re.fullmatch(r"\d{1,9}", str(item).strip()):
            raise ParseError(f"'{str(item)[:20]}' is not a dimension; a shape holds whole numbers like (2, 4).",
                             f"'{str(item)[:20]}' 不是维度；形状由整数组成，例如 (2, 4)。")
        dims.append(int(str(item).strip()))
    return tuple(dims)


def to_latex(expr: sympy.Expr) -> str:
    return sympy.latex(expr)
