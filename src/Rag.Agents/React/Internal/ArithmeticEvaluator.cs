using System.Globalization;

namespace Rag.Agents.React.Internal;

/// <summary>
/// A recursive-descent evaluator for arithmetic: numbers, + - * / % ^ (right-associative power), unary minus and
/// parentheses, with a nesting limit. It evaluates; it never compiles or runs code.
/// </summary>
internal sealed class ArithmeticEvaluator
{
    private const int MaxDepth = 64;
    private readonly string _text;
    private int _pos;
    private int _depth;

    private ArithmeticEvaluator(string text) => _text = text;

    /// <exception cref="FormatException">The expression is not valid arithmetic.</exception>
    public static double Evaluate(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var e = new ArithmeticEvaluator(expression.Replace(",", string.Empty, StringComparison.Ordinal).Replace('×', '*').Replace('÷', '/'));
        var value = e.Sum();
        e.SkipSpace();
        if (e._pos != e._text.Length)
        {
            throw new FormatException($"unexpected '{e._text[e._pos]}' at position {e._pos + 1} of '{expression}'");
        }

        return value;
    }

    private double Sum()
    {
        var value = Product();
        while (true)
        {
            if (Accept('+'))
            {
                value += Product();
            }
            else if (Accept('-'))
            {
                value -= Product();
            }
            else
            {
                return value;
            }
        }
    }

    private double Product()
    {
        var value = Power();
        while (true)
        {
            if (Accept('*'))
            {
                value *= Power();
            }
            else if (Accept('/'))
            {
                value /= Power();
            }
            else if (Accept('%'))
            {
                value %= Power();
            }
            else
            {
                return value;
            }
        }
    }

    private double Power()
    {
        var value = Unary();
        return Accept('^') ? Math.Pow(value, Power()) : value;
    }

    private double Unary()
    {
        if (Accept('-'))
        {
            return -Unary();
        }

        if (Accept('+'))
        {
            return Unary();
        }

        if (Accept('('))
        {
            if (++_depth > MaxDepth)
            {
                throw new FormatException("expression nests too deep");
            }

            var value = Sum();
            _depth--;
            if (!Accept(')'))
            {
                throw new FormatException("missing ')'");
            }

            return value;
        }

        SkipSpace();
        int start = _pos;
        while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.'))
        {
            _pos++;
        }

        if (start == _pos || !double.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            throw new FormatException(_pos < _text.Length ? $"expected a number at '{_text[_pos..]}'" : "expected a number at the end");
        }

        return number;
    }

    private bool Accept(char c)
    {
        SkipSpace();
        if (_pos < _text.Length && _text[_pos] == c)
        {
            _pos++;
            return true;
        }

        return false;
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }
}
