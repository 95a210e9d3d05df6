using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Rag.Agents.React.Internal;

/// <summary>
/// The step format and its grammar. A step is
/// <c>Thought: TEXT\nAction: TOOL[INPUT]</c> or <c>Thought: TEXT\nFinal Answer: TEXT</c>, each part length-bounded, so
/// a grammar-constrained model always finishes a parseable step within a known number of tokens.
/// </summary>
internal static partial class ReActFormat
{
    public static string Grammar(IReadOnlyList<string> tools, int maxThought, int maxInput)
    {
        var sb = new StringBuilder();
        sb.Append("root ::= \"Thought: \" thought \"\\nAction: \" tool \"[\" input \"]\" | \"Thought: \" thought \"\\nFinal Answer: \" answer\n");
        sb.Append("tool ::= ").Append(string.Join(" | ", tools.Select(t => "\"" + t + "\""))).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"thought ::= [^\\n\\[\\]] [^\\n\\[\\]]{{0,{maxThought - 1}}}\n");
        sb.Append(CultureInfo.InvariantCulture, $"input ::= [^\\n\\[\\]]{{1,{maxInput}}}\n");
        sb.Append(CultureInfo.InvariantCulture, $"answer ::= [^\\n] [^\\n]{{0,{maxInput - 1}}}\n");
        return sb.ToString();
    }

    /// <summary>Most characters a grammar-conforming step can have (to size the token limit: a token is at least one character).</summary>
    public static int MaxStepCharacters(IReadOnlyList<string> tools, int maxThought, int maxInput) =>
        "Thought: ".Length + maxThought + "\nFinal Answer: ".Length + Math.Max(maxInput, tools.Max(t => t.Length) + 2 + maxInput);

    public static bool TryParse(string output, out string thought, out string? action, out string? input, out string? answer)
    {
        thought = string.Empty;
        action = input = answer = null;
        var m = Step().Match(output.Trim());
        if (!m.Success)
        {
            return false;
        }

        thought = m.Groups["thought"].Value.Trim();
        if (m.Groups["answer"].Success)
        {
            answer = m.Groups["answer"].Value.Trim();
        }
        else
        {
            action = m.Groups["tool"].Value;
            input = m.Groups["input"].Value.Trim();
        }

        return true;
    }

    [GeneratedRegex(@"^Thought:[ \t]*(?<thought>[^\n]*)\n(?:Action:[ \t]*(?<tool>[A-Za-z_][A-Za-z0-9_\-]*)\[(?<input>[^\]\n]*)\]|Final Answer:[ \t]*(?<answer>[^\n]*))\s*$")]
    private static partial Regex Step();
}
