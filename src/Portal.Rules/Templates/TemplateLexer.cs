using System.Globalization;
using System.Text;

namespace Portal.Rules.Templates;

internal enum TokenKind
{
    Eof,
    Text,
    LeftDelim,
    RightDelim,
    Space,
    Identifier,
    Field,
    Variable,
    String,
    RawString,
    CharConstant,
    Number,
    Bool,
    Nil,
    Dot,
    Pipe,
    LeftParen,
    RightParen,
    Declare,
    Assign,
    Char,
    Comment,
    // Keywords.
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
}

/// <summary>One lexical item: kind, text (for text items, after trimming) and its offset in the source.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Pos);

/// <summary>
/// Splits Go template source into tokens as <c>text/template/parse</c>'s lexer does: <c>{{</c>/<c>}}</c> with
/// <c>{{- </c>/<c> -}}</c> trimming, comments, strings, raw strings, character constants, numbers, fields,
/// variables and keywords. Errors throw <see cref="TemplateException"/>.
/// </summary>
internal sealed class TemplateLexer
{
    private const string Left = "{{", Right = "}}";
    private readonly string _src;
    private readonly string _name;
    private readonly List<Token> _tokens = [];
    private int _pos;
    private int _parenDepth;

    private TemplateLexer(string name, string src)
    {
        _name = name;
        _src = src;
    }

    public static List<Token> Lex(string name, string src)
    {
        var l = new TemplateLexer(name, src);
        l.Run();
        return l._tokens;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsAlnum(char c) => c == '_' || char.IsLetterOrDigit(c);

    private void Emit(TokenKind kind, int start, int end) => _tokens.Add(new Token(kind, _src[start..end], start));

    private void Run()
    {
        bool trimLeadingSpace = false;
        while (true)
        {
            int start = _pos;
            if (trimLeadingSpace)
            {
                while (_pos < _src.Length && IsSpace(_src[_pos])) _pos++;
                start = _pos;
            }
            int x = _src.IndexOf(Left, _pos, StringComparison.Ordinal);
            if (x < 0)
            {
                if (_src.Length > start) Emit(TokenKind.Text, start, _src.Length);
                _tokens.Add(new Token(TokenKind.Eof, "", _src.Length));
                return;
            }
            int textEnd = x;
            bool trimLeft = x + 3 < _src.Length && _src[x + 2] == '-' && IsSpace(_src[x + 3]);
            if (trimLeft)
                while (textEnd > start && IsSpace(_src[textEnd - 1])) textEnd--;
            if (textEnd > start) Emit(TokenKind.Text, start, textEnd);
            _pos = x + 2 + (trimLeft ? 2 : 0);
            trimLeadingSpace = LexAction(x);
        }
    }

    private TemplateException Error(int pos, string message) => TemplateException.Parse(_name, _src, pos, message);

    /// <summary>Lexes from just after the left delimiter to just after the right one; returns whether the right delimiter trims.</summary>
    private bool LexAction(int delimPos)
    {
        if (string.CompareOrdinal(_src, _pos, "/*", 0, 2) == 0)
        {
            int end = _src.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
            if (end < 0) throw Error(delimPos, "unclosed comment");
            _pos = end + 2;
            var (isDelim, trim) = AtRightDelim();
            if (!isDelim) throw Error(delimPos, "comment ends before closing delimiter");
            _tokens.Add(new Token(TokenKind.Comment, "", delimPos));
            _pos += trim ? 2 + Right.Length : Right.Length;
            return trim;
        }
        _tokens.Add(new Token(TokenKind.LeftDelim, Left, delimPos));
        _parenDepth = 0;
        while (true)
        {
            var (atDelim, trimRight) = AtRightDelim();
            if (atDelim)
            {
                if (_parenDepth > 0) throw Error(_pos, "unclosed left paren");
                if (trimRight) _pos += 2;
                _tokens.Add(new Token(TokenKind.RightDelim, Right, _pos));
                _pos += Right.Length;
                return trimRight;
            }
            if (_pos >= _src.Length) throw Error(delimPos, "unclosed action");
            char c = _src[_pos];
            int start = _pos;
            if (IsSpace(c))
            {
                while (_pos < _src.Length && IsSpace(_src[_pos]) && !IsRightTrimAt(_pos)) _pos++;
                Emit(TokenKind.Space, start, _pos);
                continue;
            }
            switch (c)
            {
                case '=':
                    _pos++;
                    Emit(TokenKind.Assign, start, _pos);
                    continue;
                case ':':
                    if (_pos + 1 >= _src.Length || _src[_pos + 1] != '=') throw Error(_pos, "expected :=");
                    _pos += 2;
                    Emit(TokenKind.Declare, start, _pos);
                    continue;
                case '|':
                    _pos++;
                    Emit(TokenKind.Pipe, start, _pos);
                    continue;
                case '"':
                    LexQuote();
                    continue;
                case '`':
                {
                    int end = _src.IndexOf('`', _pos + 1);
                    if (end < 0) throw Error(start, "unterminated raw quoted string");
                    _pos = end + 1;
                    Emit(TokenKind.RawString, start, _pos);
                    continue;
                }
                case '$':
                    _pos++;
                    while (_pos < _src.Length && IsAlnum(_src[_pos])) _pos++;
                    CheckTerminator();
                    Emit(TokenKind.Variable, start, _pos);
                    continue;
                case '\'':
                    LexChar();
                    continue;
                case '.':
                    if (_pos + 1 < _src.Length && char.IsAsciiDigit(_src[_pos + 1]))
                    {
                        LexNumber();
                        continue;
                    }
                    _pos++;
                    if (_pos < _src.Length && IsAlnum(_src[_pos]))
                    {
                        while (_pos < _src.Length && IsAlnum(_src[_pos])) _pos++;
                        CheckTerminator();
                        Emit(TokenKind.Field, start, _pos);
                    }
                    else Emit(TokenKind.Dot, start, _pos);
                    continue;
                case '(':
                    _pos++;
                    _parenDepth++;
                    Emit(TokenKind.LeftParen, start, _pos);
                    continue;
                case ')':
                    _pos++;
                    _parenDepth--;
                    if (_parenDepth < 0) throw Error(start, "unexpected right paren");
                    Emit(TokenKind.RightParen, start, _pos);
                    continue;
            }
            if (c == '+' || c == '-' || char.IsAsciiDigit(c))
            {
                LexNumber();
                continue;
            }
            if (IsAlnum(c))
            {
                while (_pos < _src.Length && IsAlnum(_src[_pos])) _pos++;
                string word = _src[start.._pos];
                CheckTerminator();
                var kind = word switch
                {
                    "block" => TokenKind.Block,
                    "break" => TokenKind.Break,
                    "continue" => TokenKind.Continue,
                    "define" => TokenKind.Define,
                    "else" => TokenKind.Else,
                    "end" => TokenKind.End,
                    "if" => TokenKind.If,
                    "range" => TokenKind.Range,
                    "nil" => TokenKind.Nil,
                    "template" => TokenKind.Template,
                    "with" => TokenKind.With,
                    "true" or "false" => TokenKind.Bool,
                    _ => TokenKind.Identifier,
                };
                Emit(kind, start, _pos);
                continue;
            }
            if (c <= 0x7f && !char.IsControl(c))
            {
                _pos++;
                Emit(TokenKind.Char, start, _pos);
                continue;
            }
            var rune = Rune.GetRuneAt(_src, _pos);
            throw Error(start, $"unrecognized character in action: U+{rune.Value.ToString("X4", CultureInfo.InvariantCulture)}");
        }
    }

    private bool IsRightTrimAt(int p) =>
        p + 4 <= _src.Length && IsSpace(_src[p]) && _src[p + 1] == '-' && string.CompareOrdinal(_src, p + 2, Right, 0, 2) == 0;

    private (bool AtDelim, bool Trim) AtRightDelim()
    {
        if (IsRightTrimAt(_pos)) return (true, true);
        if (string.CompareOrdinal(_src, _pos, Right, 0, 2) == 0) return (true, false);
        return (false, false);
    }

    private void CheckTerminator()
    {
        if (_pos >= _src.Length) return;
        char c = _src[_pos];
        if (IsSpace(c) || c is '.' or ',' or '|' or ':' or ')' or '(' || string.CompareOrdinal(_src, _pos, Right, 0, 2) == 0) return;
        if (c == '=') return;
        throw Error(_pos, $"bad character U+{((int)c).ToString("X4", CultureInfo.InvariantCulture)} '{c}'");
    }

    private void LexQuote()
    {
        int start = _pos++;
        while (true)
        {
            if (_pos >= _src.Length || _src[_pos] == '\n') throw Error(start, "unterminated quoted string");
            char c = _src[_pos++];
            if (c == '\\')
            {
                if (_pos >= _src.Length || _src[_pos] == '\n') throw Error(start, "unterminated quoted string");
                _pos++;
            }
            else if (c == '"') break;
        }
        Emit(TokenKind.String, start, _pos);
    }

    private void LexChar()
    {
        int start = _pos++;
        while (true)
        {
            if (_pos >= _src.Length || _src[_pos] == '\n') throw Error(start, "unterminated character constant");
            char c = _src[_pos++];
            if (c == '\\')
            {
                if (_pos >= _src.Length || _src[_pos] == '\n') throw Error(start, "unterminated character constant");
                _pos++;
            }
            else if (c == '\'') break;
        }
        Emit(TokenKind.CharConstant, start, _pos);
    }

    private void LexNumber()
    {
        int start = _pos;
        if (_pos < _src.Length && (_src[_pos] == '+' || _src[_pos] == '-')) _pos++;
        string digits = "0123456789_";
        bool hex = false;
        if (_pos + 1 < _src.Length && _src[_pos] == '0')
        {
            char p = char.ToLowerInvariant(_src[_pos + 1]);
            if (p == 'x') { _pos += 2; digits = "0123456789abcdefABCDEF_"; hex = true; }
            else if (p == 'o') { _pos += 2; digits = "01234567_"; }
            else if (p == 'b') { _pos += 2; digits = "01_"; }
        }
        while (_pos < _src.Length && digits.Contains(_src[_pos])) _pos++;
        if (_pos < _src.Length && _src[_pos] == '.')
        {
            _pos++;
            while (_pos < _src.Length && digits.Contains(_src[_pos])) _pos++;
        }
        if (digits.Length == 11 && _pos < _src.Length && (_src[_pos] == 'e' || _src[_pos] == 'E')
            || hex && _pos < _src.Length && (_src[_pos] == 'p' || _src[_pos] == 'P'))
        {
            _pos++;
            if (_pos < _src.Length && (_src[_pos] == '+' || _src[_pos] == '-')) _pos++;
            while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos]) || _pos < _src.Length && _src[_pos] == '_') _pos++;
        }
        if (_pos < _src.Length && _src[_pos] == 'i') _pos++;
        if (_pos < _src.Length && IsAlnum(_src[_pos]))
        {
            _pos++;
            throw Error(start, $"bad number syntax: \"{_src[start.._pos]}\"");
        }
        Emit(TokenKind.Number, start, _pos);
    }
}
