namespace Rag.Training.Tests;

/// <summary>Acceptance 5: bad data fails with its line number; both JSONL shapes load.</summary>
public class DataTests
{
    private static TrainingDataException Fails(string jsonl, int maxTokens = 0)
    {
        using var model = LlamaCpp.Load(TestModels.Stories260K);
        using var dir = new TempDir();
        var path = dir.File("d.jsonl", jsonl);
        return Assert.Throws<TrainingDataException>(() => TrainingDataset.LoadJsonl(path, model, maxTokens));
    }

    [Fact]
    public void Malformed_json_names_its_line()
    {
        var e = Fails("{\"prompt\": \"a\", \"completion\": \" b\"}\n\n{\"prompt\": \"a\", \"completion\": \n");
        Assert.Equal(3, e.LineNumber);
        Assert.Contains("d.jsonl:3: malformed JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_completion_names_its_line()
    {
        var e = Fails("{\"prompt\": \"a\", \"completion\": \" b\"}\n{\"prompt\": \"a\", \"completion\": \"  \"}\n");
        Assert.Equal(2, e.LineNumber);
        Assert.Contains("completion is empty", e.Message, StringComparison.Ordinal);
        e = Fails("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"\"}]}\n");
        Assert.Equal(1, e.LineNumber);
    }

    [Fact]
    public void Example_longer_than_the_context_names_its_line()
    {
        var longText = string.Join(' ', Enumerable.Repeat("the cat sat on the mat.", 20));
        var e = Fails($"{{\"prompt\": \"a\", \"completion\": \" b\"}}\n{{\"prompt\": \"{longText}\", \"completion\": \" b\"}}\n", maxTokens: 64);
        Assert.Equal(2, e.LineNumber);
        Assert.Contains("longer than the context of 64 tokens", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prompt_completion_and_chat_lines_load_with_the_loss_on_the_completion()
    {
        using var model = LlamaCpp.Load(TestModels.Stories260K);
        using var dir = new TempDir();
        var path = dir.File("d.jsonl",
            "{\"prompt\": \"Once upon a time\", \"completion\": \" there was a cat.\"}\n" +
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Who?\"}, {\"role\": \"assistant\", \"content\": \"A cat.\"}]}\n");
        var data = TrainingDataset.LoadJsonl(path, model);
        Assert.Equal(2, data.Count);
        var pc = data[0];
        Assert.Equal(model.Tokenize("Once upon a time"), pc.Tokens[..pc.PromptLength]);
        Assert.Equal(model.Metadata.EosToken, pc.Tokens[^1]);
        Assert.Equal("there was a cat.", model.Detokenize(pc.Tokens[pc.PromptLength..^1]).Trim());
        var chat = data[1];
        Assert.Equal(2, chat.LineNumber);
        Assert.Contains("A cat.", model.Detokenize(chat.Tokens[chat.PromptLength..]), StringComparison.Ordinal);
        Assert.DoesNotContain("Who?", model.Detokenize(chat.Tokens[chat.PromptLength..]), StringComparison.Ordinal);
    }
}
