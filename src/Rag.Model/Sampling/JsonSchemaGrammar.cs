using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rag.Model.Sampling;

/// <summary>
/// Converts a JSON schema to a GBNF grammar for llama.cpp's grammar sampler.
/// Supported: <c>type</c> (object, array, string, number, integer, boolean, null, or a list of these),
/// <c>properties</c>/<c>required</c> (properties are emitted in schema order; required ones first, optional ones may be
/// omitted), <c>additionalProperties</c> (ignored: only listed properties are produced), <c>items</c>,
/// <c>minItems</c> (0 or 1), <c>enum</c>, <c>const</c>, <c>anyOf</c>/<c>oneOf</c>, and an empty schema (any JSON value).
/// Not supported: <c>$ref</c>, <c>allOf</c>, <c>pattern</c>, string formats and length bounds (they throw
/// <see cref="NotSupportedException"/> or, for bounds, are ignored).
/// Whitespace between tokens is limited so that small models cannot loop on blanks.
/// </summary>
public static class JsonSchemaGrammar
{
    private const string Primitives = """
        ws ::= | " " | "\n" [ \t]{0,8}
        string ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} ) )* "\"" ws
        number ::= "-"? ( [0-9] | [1-9] [0-9]{0,15} ) ( "." [0-9]+ )? ( [eE] [-+]? [0-9]{1,3} )? ws
        integer ::= "-"? ( [0-9] | [1-9] [0-9]{0,15} ) ws
        boolean ::= ( "true" | "false" ) ws
        null ::= "null" ws
        value ::= object | array | string | number | boolean | null
        object ::= "{" ws ( string ":" ws value ( "," ws string ":" ws value )* )? "}" ws
        array ::= "[" ws ( value ( "," ws value )* )? "]" ws
        """;

    /// <summary>Converts <paramref name="schemaJson"/> to GBNF with a <c>root</c> rule.</summary>
    /// <exception cref="ArgumentException">The text is not JSON.</exception>
    /// <exception cref="NotSupportedException">The schema uses a feature outside the supported subset.</exception>
    public static string Convert(string schemaJson)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schemaJson);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(schemaJson);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The JSON schema is not valid JSON: {ex.Message}", nameof(schemaJson), ex);
        }

        using (doc)
        {
            var builder = new Builder();
            var root = builder.Visit(doc.RootElement, "root");
            var sb = new StringBuilder();
            sb.Append("root ::= ws ").Append(root).Append('\n');
            foreach (var (name, body) in builder.Rules)
            {
                sb.Append(name).Append(" ::= ").Append(body).Append('\n');
            }

            foreach (var line in Primitives.Split('\n'))
            {
                sb.Append(line.Trim()).Append('\n');
            }

            return sb.ToString();
        }
    }

    private static string Literal(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var ch in text)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(ch); break;
            }
        }

        return sb.Append('"').ToString();
    }

    private sealed class Builder
    {
        public List<(string Name, string Body)> Rules { get; } = [];

        private readonly HashSet<string> _names = new(StringComparer.Ordinal) { "root", "ws", "string", "number", "integer", "boolean", "null", "value", "object", "array" };

        public string Visit(JsonElement schema, string hint)
        {
            if (schema.ValueKind == JsonValueKind.True)
            {
                return "value";
            }

            if (schema.ValueKind != JsonValueKind.Object)
            {
                throw new NotSupportedException($"Schema at '{hint}' must be an object.");
            }

            foreach (var unsupported in new[] { "$ref", "allOf", "pattern", "patternProperties", "not", "if" })
            {
                if (schema.TryGetProperty(unsupported, out _))
                {
                    throw new NotSupportedException($"JSON schema keyword '{unsupported}' (at '{hint}') is not supported by the GBNF converter.");
                }
            }

            if (schema.TryGetProperty("const", out var constant))
            {
                return Literal(constant.GetRawText()) + " ws";
            }

            if (schema.TryGetProperty("enum", out var en))
            {
                var alts = en.EnumerateArray().Select(v => Literal(JsonSerializer.Serialize(v)) + " ws").ToList();
                return Add(hint, string.Join(" | ", alts));
            }

            foreach (var key in new[] { "anyOf", "oneOf" })
            {
                if (schema.TryGetProperty(key, out var options))
                {
                    var alts = options.EnumerateArray().Select((o, i) => Visit(o, $"{hint}-{i}")).ToList();
                    return Add(hint, string.Join(" | ", alts));
                }
            }

            if (!schema.TryGetProperty("type", out var type))
            {
                return schema.TryGetProperty("properties", out _) ? ObjectRule(schema, hint) : "value";
            }

            if (type.ValueKind == JsonValueKind.Array)
            {
                var alts = type.EnumerateArray().Select(t => TypeRule(schema, t.GetString()!, $"{hint}-{t.GetString()}")).ToList();
                return Add(hint, string.Join(" | ", alts));
            }

            return TypeRule(schema, type.GetString() ?? "", hint);
        }

        private string TypeRule(JsonElement schema, string type, string hint) => type switch
        {
            "string" => "string",
            "number" => "number",
            "integer" => "integer",
            "boolean" => "boolean",
            "null" => "null",
            "object" => schema.TryGetProperty("properties", out _) ? ObjectRule(schema, hint) : "object",
            "array" => ArrayRule(schema, hint),
            _ => throw new NotSupportedException($"JSON schema type '{type}' (at '{hint}') is not supported."),
        };

        private string ObjectRule(JsonElement schema, string hint)
        {
            var required = schema.TryGetProperty("required", out var req)
                ? req.EnumerateArray().Select(r => r.GetString()!).ToHashSet(StringComparer.Ordinal)
                : [];
            var props = schema.GetProperty("properties").EnumerateObject()
                .Select(p => (p.Name, Rule: Visit(p.Value, $"{hint}-{p.Name}"), Required: required.Contains(p.Name)))
                .ToList();

            string Kv((string Name, string Rule, bool Required) p) => $"{Literal(JsonSerializer.Serialize(p.Name))} ws \":\" ws {p.Rule}";

            var ordered = props.Where(p => p.Required).Concat(props.Where(p => !p.Required)).ToList();
            var sb = new StringBuilder("\"{\" ws ");
            if (ordered.Count > 0)
            {
                var firstRequired = ordered[0].Required;
                if (firstRequired)
                {
                    sb.Append(Kv(ordered[0]));
                    foreach (var p in ordered.Skip(1))
                    {
                        sb.Append(p.Required ? $" \",\" ws {Kv(p)}" : $" ( \",\" ws {Kv(p)} )?");
                    }
                }
                else
                {
                    // No required members: the object may be empty, or start with the first optional one.
                    sb.Append("( ").Append(Kv(ordered[0]));
                    foreach (var p in ordered.Skip(1))
                    {
                        sb.Append($" ( \",\" ws {Kv(p)} )?");
                    }

                    sb.Append(" )?");
                }
            }

            sb.Append(" \"}\" ws");
            return Add(hint, sb.ToString());
        }

        private string ArrayRule(JsonElement schema, string hint)
        {
            var item = schema.TryGetProperty("items", out var items) ? Visit(items, $"{hint}-item") : "value";
            var min = schema.TryGetProperty("minItems", out var m) && m.GetInt32() > 0;
            var body = min
                ? $"\"[\" ws {item} ( \",\" ws {item} )* \"]\" ws"
                : $"\"[\" ws ( {item} ( \",\" ws {item} )* )? \"]\" ws";
            return Add(hint, body);
        }

        private string Add(string hint, string body)
        {
            var name = new string(hint.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray()).Trim('-');
            if (name.Length == 0 || !char.IsAsciiLetter(name[0]))
            {
                name = "r-" + name;
            }

            var unique = name;
            for (var i = 2; !_names.Add(unique); i++)
            {
                unique = name + "-" + i.ToString(CultureInfo.InvariantCulture);
            }

            Rules.Add((unique, body));
            return unique;
        }
    }
}
