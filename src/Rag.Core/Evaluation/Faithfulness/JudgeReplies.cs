using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rag.Core.Evaluation.Faithfulness;

/// <summary>Lenient readers for judge replies: strict JSON first, then the first JSON object in the text, then words.</summary>
internal static partial class JudgeReplies
{
    /// <summary>The claim strings, or null when the reply holds no readable claim list.</summary>
    public static List<string>? ReadClaims(string reply)
    {
        if (FirstObject(reply) is { } root && root.TryGetProperty("claims", out var claims) && claims.ValueKind == JsonValueKind.Array)
        {
            return claims.EnumerateArray()
                .Where(c => c.ValueKind == JsonValueKind.String)
                .Select(c => c.GetString()!.Trim())
                .Where(c => c.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .ToList();
        }

        return null;
    }

    /// <summary>true or false, or null when the reply says neither.</summary>
    public static bool? ReadVerdict(string reply)
    {
        if (FirstObject(reply) is { } root && root.TryGetProperty("supported", out var s))
        {
            if (s.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return s.GetBoolean();
            }

            if (s.ValueKind == JsonValueKind.String)
            {
                return Word(s.GetString()!);
            }
        }

        return Word(reply);
    }

    private static bool? Word(string text)
    {
        var m = VerdictWord().Match(text);
        if (!m.Success)
        {
            return null;
        }

        return m.Value.ToLowerInvariant() switch
        {
            "true" or "yes" or "supported" => true,
            _ => false,
        };
    }

    private static JsonElement? FirstObject(string text)
    {
        for (int start = text.IndexOf('{', StringComparison.Ordinal); start >= 0; start = text.IndexOf('{', start + 1))
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text[start..]), new JsonReaderOptions { AllowTrailingCommas = true });
            try
            {
                if (JsonDocument.TryParseValue(ref reader, out var doc))
                {
                    using (doc)
                    {
                        if (doc.RootElement.ValueKind == JsonValueKind.Object)
                        {
                            return doc.RootElement.Clone();
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Not an object here; try the next brace.
            }
        }

        return null;
    }

    // "not supported" / "unsupported" must win over "supported", so they come first in the alternation.
    [GeneratedRegex(@"\b(not supported|unsupported|true|false|yes|no|supported)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VerdictWord();
}
