using System.Text;
using Portal.PromQL.Ast;

namespace Portal.PromQL.Parsing;

internal enum TokenKind
{
    Eof,
    Error,
    Identifier,
    MetricIdentifier,
    Number,
    Duration,
    String,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    Assign,
    EqlRegex,
    NeqRegex,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eqlc,
    Neq,
    Gtr,
    Lss,
    Gte,
    Lte,
    TrimUpper,
    TrimLower,
    At,
}

/// <summary>One lexed token. <see cref="Text"/> is the source text (or the message for <see cref="TokenKind.Error"/>).</summary>
internal readonly record struct Token(TokenKind Kind, int Pos, int Length, string Text)
{
    public int End => Pos + Length;
    public PositionRange Range => new(Pos, Pos + Length);
}

/// <summary>
/// Tokenizes PromQL text up front. Modes follow Prometheus's lexer: inside braces keywords are plain
/// identifiers; inside brackets only duration-expression tokens are accepted. Lexing stops at the first
/// error, which becomes a final <see cref="TokenKind.Error"/> token whose range runs to the end of input.
/// Comments (<c># ...</c>) are skipped.
/// </summary>
internal sealed class Lexer
{
    private readonly string _s;
    private int _pos;
    private int _parenDepth;
    private bool _braceOpen;
    private bool _bracketOpen;
    private bool _gotColon;
    private bool _gotDuration;
    private readonly List<Token> _tokens = new();

    private Lexer(string s) => _s = s;

    public static List<Token> Tokenize(string input)
    {
        var l = new Lexer(input);
        l.Run();
        return l._tokens;
    }

    private char Peek(int ahead = 0) => _pos + ahead < _s.Length ? _s[_pos + ahead] : '\0';
    private bool AtEnd(int ahead = 0) => _pos + ahead >= _s.Length;

    private void Emit(TokenKind kind, int start) => _tokens.Add(new Token(kind, start, _pos - start, _s.Substring(start, _pos - start)));

    private bool Error(int start, string message)
    {
        _tokens.Add(new Token(TokenKind.Error, start, _s.Length - start, message));
        return false;
    }

    internal static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r';
    internal static bool IsAlpha(char c) => c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    internal static bool IsDigit(char c) => c >= '0' && c <= '9';
    internal static bool IsAlphaNumeric(char c) => IsAlpha(c) || IsDigit(c);

    private void Run()
    {
        while (true)
        {
            bool ok;
            if (_braceOpen) ok = LexInsideBraces();
            else if (_bracketOpen) ok = LexDurationExpr();
            else ok = LexStatement();
            if (!ok) return;
        }
    }

    /// <summary>Returns false when lexing has ended (EOF or error emitted).</summary>
    private bool LexStatement()
    {
        if (Peek() == '#' && !AtEnd())
        {
            SkipComment();
            return true;
        }
        int start = _pos;
        if (AtEnd())
        {
            if (_parenDepth != 0) return Error(start, "unclosed left parenthesis");
            _tokens.Add(new Token(TokenKind.Eof, _s.Length, 0, ""));
            return false;
        }
        char r = _s[_pos++];
        switch (r)
        {
            case ',': Emit(TokenKind.Comma, start); return true;
            case ' ' or '\t' or '\n' or '\r':
                while (!AtEnd() && IsSpace(Peek())) _pos++;
                return true;
            case '*': Emit(TokenKind.Mul, start); return true;
            case '/': Emit(TokenKind.Div, start); return true;
            case '%': Emit(TokenKind.Mod, start); return true;
            case '+': Emit(TokenKind.Add, start); return true;
            case '-': Emit(TokenKind.Sub, start); return true;
            case '^': Emit(TokenKind.Pow, start); return true;
            case '@': Emit(TokenKind.At, start); return true;
            case '=':
                if (Peek() == '=')
                {
                    _pos++;
                    Emit(TokenKind.Eqlc, start);
                    return true;
                }
                if (Peek() == '~') return Error(start, "unexpected character after '=': '~'");
                Emit(TokenKind.Assign, start);
                return true;
            case '!':
                if (AtEnd() || Peek() != '=')
                    return Error(start, "unexpected character after '!': " + QuoteRune(AtEnd() ? -1 : CodePointAt(_s, _pos)));
                _pos++;
                Emit(TokenKind.Neq, start);
                return true;
            case '<':
                if (Peek() == '=')
                {
                    _pos++;
                    Emit(TokenKind.Lte, start);
                }
                else if (Peek() == '/')
                {
                    _pos++;
                    Emit(TokenKind.TrimUpper, start);
                }
                else
                {
                    Emit(TokenKind.Lss, start);
                }
                return true;
            case '>':
                if (Peek() == '=')
                {
                    _pos++;
                    Emit(TokenKind.Gte, start);
                }
                else if (Peek() == '/')
                {
                    _pos++;
                    Emit(TokenKind.TrimLower, start);
                }
                else
                {
                    Emit(TokenKind.Gtr, start);
                }
                return true;
            case '"' or '\'':
                return LexString(start, r);
            case '`':
                return LexRawString(start);
            case '(':
                Emit(TokenKind.LeftParen, start);
                _parenDepth++;
                return true;
            case ')':
                _parenDepth--;
                if (_parenDepth < 0) return Error(start, "unexpected right parenthesis ')'");
                Emit(TokenKind.RightParen, start);
                return true;
            case '{':
                Emit(TokenKind.LeftBrace, start);
                _braceOpen = true;
                return true;
            case '}':
                return Error(start, "unexpected right brace '}'");
            case '[':
                Emit(TokenKind.LeftBracket, start);
                _bracketOpen = true;
                _gotColon = false;
                _gotDuration = false;
                while (!AtEnd() && IsSpace(Peek())) _pos++;
                return true;
            case ']':
                return Error(start, "unexpected right bracket ']'");
        }
        if (IsDigit(r) || (r == '.' && IsDigit(Peek())))
        {
            _pos = start;
            return LexNumberOrDuration(start);
        }
        if (IsAlpha(r) || r == ':')
        {
            while (!AtEnd() && (IsAlphaNumeric(Peek()) || Peek() == ':')) _pos++;
            string word = _s.Substring(start, _pos - start);
            if (Keywords.IsNumberWord(word))
            {
                Emit(TokenKind.Number, start);
                return true;
            }
            Emit(word.Contains(':') ? TokenKind.MetricIdentifier : TokenKind.Identifier, start);
            return true;
        }
        _pos = start;
        return Error(start, "unexpected character: " + QuoteRune(CodePointAt(_s, _pos)));
    }

    private void SkipComment()
    {
        while (!AtEnd() && Peek() != '\n' && Peek() != '\r') _pos++;
    }

    private bool LexInsideBraces()
    {
        if (Peek() == '#' && !AtEnd())
        {
            SkipComment();
            return true;
        }
        int start = _pos;
        if (AtEnd()) return Error(start, "unexpected end of input inside braces");
        char r = _s[_pos++];
        switch (r)
        {
            case ' ' or '\t' or '\n' or '\r':
                while (!AtEnd() && IsSpace(Peek())) _pos++;
                return true;
            case ',': Emit(TokenKind.Comma, start); return true;
            case '"' or '\'': return LexString(start, r);
            case '`': return LexRawString(start);
            case '=':
                if (Peek() == '~')
                {
                    _pos++;
                    Emit(TokenKind.EqlRegex, start);
                }
                else
                {
                    Emit(TokenKind.Assign, start);
                }
                return true;
            case '!':
                if (Peek() == '~')
                {
                    _pos++;
                    Emit(TokenKind.NeqRegex, start);
                    return true;
                }
                if (Peek() == '=')
                {
                    _pos++;
                    Emit(TokenKind.Neq, start);
                    return true;
                }
                return Error(start, "unexpected character after '!' inside braces: " + QuoteRune(AtEnd() ? -1 : CodePointAt(_s, _pos)));
            case '{': return Error(start, "unexpected left brace '{'");
            case '}':
                Emit(TokenKind.RightBrace, start);
                _braceOpen = false;
                return true;
        }
        if (IsAlpha(r))
        {
            while (!AtEnd() && IsAlphaNumeric(Peek())) _pos++;
            Emit(TokenKind.Identifier, start);
            return true;
        }
        _pos = start;
        return Error(start, "unexpected character inside braces: " + QuoteRune(CodePointAt(_s, _pos)));
    }

    private bool LexDurationExpr()
    {
        int start = _pos;
        if (AtEnd()) return Error(start, "unexpected end of input in duration expression");
        char r = _s[_pos++];
        switch (r)
        {
            case ']':
                Emit(TokenKind.RightBracket, start);
                _bracketOpen = false;
                _gotColon = false;
                return true;
            case ':':
                if (!_gotDuration) return Error(start, "unexpected colon before duration in duration expression");
                if (_gotColon) return Error(start, "unexpected repeated colon in duration expression");
                Emit(TokenKind.Colon, start);
                _gotColon = true;
                return true;
            case '(':
                Emit(TokenKind.LeftParen, start);
                _parenDepth++;
                return true;
            case ')':
                _parenDepth--;
                if (_parenDepth < 0) return Error(start, "unexpected right parenthesis ')'");
                Emit(TokenKind.RightParen, start);
                return true;
            case ' ' or '\t' or '\n' or '\r':
                while (!AtEnd() && IsSpace(Peek())) _pos++;
                return true;
            case '+': Emit(TokenKind.Add, start); return true;
            case '-': Emit(TokenKind.Sub, start); return true;
            case '*': Emit(TokenKind.Mul, start); return true;
            case '/': Emit(TokenKind.Div, start); return true;
            case '%': Emit(TokenKind.Mod, start); return true;
            case '^': Emit(TokenKind.Pow, start); return true;
            case ',': Emit(TokenKind.Comma, start); return true;
        }
        if (IsAlpha(r))
        {
            while (!AtEnd() && IsAlpha(Peek())) _pos++;
            string word = _s.Substring(start, _pos - start).ToLowerInvariant();
            if (word is "step" or "range" or "min_of" or "max_of")
            {
                Emit(TokenKind.Identifier, start);
                _gotDuration = true;
                return true;
            }
            _pos = start;
            return Error(start, "unexpected character in duration expression: " + QuoteRune(r));
        }
        if (IsDigit(r) || (r == '.' && IsDigit(Peek())))
        {
            _pos = start;
            _gotDuration = true;
            return LexNumberOrDuration(start);
        }
        _pos = start;
        return Error(start, "unexpected character in duration expression: " + QuoteRune(CodePointAt(_s, _pos)));
    }

    private bool LexNumberOrDuration(int start)
    {
        if (ScanNumber())
        {
            Emit(TokenKind.Number, start);
            return true;
        }
        if (AcceptRemainingDuration())
        {
            _pos--;
            Emit(TokenKind.Duration, start);
            return true;
        }
        return Error(start, $"bad number or duration syntax: {GoQuote(_s.Substring(start, Math.Min(_pos, _s.Length) - start))}");
    }

    private bool Accept(string valid)
    {
        if (!AtEnd() && valid.Contains(Peek()))
        {
            _pos++;
            return true;
        }
        return false;
    }

    private bool AcceptRemainingDuration()
    {
        if (!Accept("smhdwy")) return false;
        Accept("s");
        while (Accept("0123456789"))
        {
            while (Accept("0123456789"))
            {
            }
            if (!Accept("smhdw")) return false;
            Accept("s");
        }
        // Consume one more rune, like Prometheus (the caller backs up).
        bool next = !AtEnd() && IsAlphaNumeric(Peek());
        _pos++;
        return !next;
    }

    /// <summary>Scans a number the way Prometheus's lexer does; the text may still fail to parse as a number.</summary>
    private bool ScanNumber()
    {
        int initial = _pos;
        string digits = "0123456789";
        if (Peek() == '0' && (Peek(1) == 'x' || Peek(1) == 'X'))
        {
            _pos += 2;
            Accept("_");
            digits = "0123456789abcdefABCDEF";
        }
        else if (Accept("0"))
        {
            // Leading zero already consumed.
        }
        Accept(".");
        Accept(digits);
        bool dot = false, exp = false;
        while (!AtEnd() && (digits + "._eE").Contains(Peek()))
        {
            char c = Peek();
            if (c == '.' && dot)
            {
                _pos++;
                return false;
            }
            if ((c == 'e' || c == 'E') && exp && digits.Length == 10)
            {
                _pos++;
                return false;
            }
            if (c == '.')
            {
                _pos++;
                dot = true;
                if (Accept("_.")) return false;
                if (digits.Length > 10) return false;
                continue;
            }
            if ((c == 'e' || c == 'E') && digits.Length == 10)
            {
                _pos++;
                exp = true;
                Accept("+-");
                if (Accept("._eE") || AtEnd()) return false;
                continue;
            }
            if (c == '_')
            {
                _pos++;
                if (Accept("._eE") || AtEnd()) return false;
                continue;
            }
            while (!AtEnd() && digits.Contains(Peek())) _pos++;
        }
        if (_pos == initial) return false;
        return AtEnd() || !IsAlphaNumeric(Peek());
    }

    private bool LexString(int start, char quote)
    {
        while (true)
        {
            if (AtEnd()) return Error(start, "unterminated quoted string");
            char c = _s[_pos++];
            if (c == '\\')
            {
                string? err = ScanEscape(quote);
                if (err is not null) return Error(start, err);
                continue;
            }
            if (c == '\n') return Error(start, "unterminated quoted string");
            if (c == quote) break;
        }
        Emit(TokenKind.String, start);
        return true;
    }

    private bool LexRawString(int start)
    {
        while (true)
        {
            if (AtEnd()) return Error(start, "unterminated raw string");
            if (_s[_pos++] == '`') break;
        }
        Emit(TokenKind.String, start);
        return true;
    }

    private string? ScanEscape(char quote)
    {
        if (AtEnd()) return "escape sequence not terminated";
        char ch = _s[_pos++];
        int n;
        uint b, max;
        switch (ch)
        {
            case 'a' or 'b' or 'f' or 'n' or 'r' or 't' or 'v' or '\\':
                return null;
            case >= '0' and <= '7':
                n = 3; b = 8; max = 255;
                break;
            case 'x':
                n = 2; b = 16; max = 255;
                if (AtEnd()) return "escape sequence not terminated";
                ch = _s[_pos++];
                break;
            case 'u':
                n = 4; b = 16; max = 0x10FFFF;
                if (AtEnd()) return "escape sequence not terminated";
                ch = _s[_pos++];
                break;
            case 'U':
                n = 8; b = 16; max = 0x10FFFF;
                if (AtEnd()) return "escape sequence not terminated";
                ch = _s[_pos++];
                break;
            default:
                if (ch == quote) return null;
                return $"unknown escape sequence {GoRuneU(ch)}";
        }
        uint x = 0;
        while (n > 0)
        {
            uint d = DigitVal(ch);
            if (d >= b) return $"illegal character {GoRuneU(ch)} in escape sequence";
            x = x * b + d;
            n--;
            if (n > 0)
            {
                if (AtEnd()) return "escape sequence not terminated";
                ch = _s[_pos++];
            }
        }
        if (x > max || (x >= 0xD800 && x < 0xE000)) return "escape sequence is an invalid Unicode code point";
        return null;
    }

    private static uint DigitVal(char c) => c switch
    {
        >= '0' and <= '9' => (uint)(c - '0'),
        >= 'a' and <= 'f' => (uint)(c - 'a' + 10),
        >= 'A' and <= 'F' => (uint)(c - 'A' + 10),
        _ => 16,
    };

    /// <summary>Go's <c>%#U</c>: <c>U+0071 'q'</c>.</summary>
    private static string GoRuneU(char c) => $"U+{(int)c:X4} '{c}'";

    /// <summary>Go's <c>%q</c> of a rune: <c>'x'</c>.</summary>
    internal static string QuoteRune(int rune)
    {
        if (rune < 0) return "'\\x00'";
        if (rune is >= 0xD800 and < 0xE000) return "'\\ufffd'";
        if (rune == '\'') return "'\\''";
        if (rune == '\\') return "'\\\\'";
        var sb = new StringBuilder();
        Printer.WriteQuoted(sb, char.ConvertFromUtf32(rune));
        string q = sb.ToString();
        return "'" + q[1..^1].Replace("\\\"", "\"") + "'";
    }

    internal static string GoQuote(string s)
    {
        var sb = new StringBuilder();
        Printer.WriteQuoted(sb, s);
        return sb.ToString();
    }

    /// <summary>The code point at <paramref name="index"/> (a surrogate pair is combined; a lone surrogate is returned as is).</summary>
    internal static int CodePointAt(string s, int index)
    {
        if (char.IsHighSurrogate(s[index]) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1]))
            return char.ConvertToUtf32(s[index], s[index + 1]);
        return s[index];
    }
}
