using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Rag.Model.Sampling;

namespace Rag.Model.Chat.Internal;

/// <summary>
/// Builds the GBNF grammar that forces a function call: <c>{"name": "&lt;tool&gt;", "arguments": {…}}</c> where the name is
/// one of the offered tools and the arguments follow that tool's JSON schema. String and fraction lengths are bounded
/// so that even a tiny model reaches the closing brace within a few hundred tokens.
/// </summary>
internal static class ToolCallGrammar
{
    /// <summary>Longest string value the grammar allows (characters).</summary>
    public const int MaxStringLength = 48;

    /// <summary>The JSON schema of a call to one of <paramref name="tools"/>.</summary>
    public static string BuildSchema(IEnumerable<AIFunctionDeclaration> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var alternatives = new JsonArray();
        foreach (var tool in tools)
        {
            var args = tool.JsonSchema.ValueKind == JsonValueKind.Object
                ? JsonNode.Parse(tool.JsonSchema.GetRawText())!.AsObject()
                : new JsonObject { ["type"] = "object" };
            args.Remove("$schema");
            args.Remove("title");
            args.Remove("description");
            if (!args.ContainsKey("type") && !args.ContainsKey("properties"))
            {
                args["type"] = "object";
            }

            alternatives.Add(new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["name"] = new JsonObject { ["const"] = tool.Name },
                    ["arguments"] = args,
                },
                ["required"] = new JsonArray("name", "arguments"),
            });
        }

        if (alternatives.Count == 0)
        {
            throw new ArgumentException("A tool call grammar needs at least one function tool.", nameof(tools));
        }

        return (alternatives.Count == 1 ? alternatives[0]!.DeepClone() : new JsonObject { ["anyOf"] = alternatives }).ToJsonString();
    }

    /// <summary>The GBNF grammar of a call to one of <paramref name="tools"/>.</summary>
    /// <exception cref="NotSupportedException">A tool's schema uses a JSON-schema feature the converter does not support.</exception>
    public static string Build(IEnumerable<AIFunctionDeclaration> tools)
    {
        var grammar = JsonSchemaGrammar.Convert(BuildSchema(tools));
        return Bound(grammar);
    }

    /// <summary>Bounds unbounded string and fraction repetitions of a grammar made by <see cref="JsonSchemaGrammar"/>.</summary>
    internal static string Bound(string grammar)
    {
        var lines = grammar.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("string ::=", StringComparison.Ordinal))
            {
                lines[i] = lines[i].Replace(") )* \"\\\"\"", $") ){{0,{MaxStringLength}}} \"\\\"\"", StringComparison.Ordinal);
            }
            else if (lines[i].StartsWith("number ::=", StringComparison.Ordinal))
            {
                lines[i] = lines[i].Replace("\".\" [0-9]+", "\".\" [0-9]{1,6}", StringComparison.Ordinal);
            }
        }

        return string.Join('\n', lines);
    }
}
