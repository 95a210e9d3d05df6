namespace Rag.Training.Tests;

/// <summary>
/// A generated data set that teaches stories260K a new pattern: after "Then NAME saw a" comes " purple frog that could sing."
/// (the base model never says it). 100 examples: 10 names × 10 places; the check prompt uses a place that is not among them.
/// </summary>
internal static class PatternData
{
    public const string Completion = " purple frog that could sing.";

    public const string CheckPrompt = "Lily went to the moon. Then Lily saw a";

    public static readonly string[] Names = ["Tom", "Lily", "Sam", "Ben", "Mia", "Anna", "Max", "Sue", "Tim", "Kim"];

    public static readonly string[] Places = ["park", "house", "garden", "school", "forest", "beach", "shop", "river", "hill", "farm"];

    public static IEnumerable<(string Prompt, string Completion)> Examples() =>
        from n in Names from p in Places select ($"{n} went to the {p}. Then {n} saw a", Completion);

    public static string WriteJsonl(string dir)
    {
        var path = Path.Combine(dir, "pattern.jsonl");
        File.WriteAllLines(path, Examples().Select(e => System.Text.Json.JsonSerializer.Serialize(new { prompt = e.Prompt, completion = e.Completion })));
        return path;
    }
}
