namespace Rag.Host.Tests.Cli;

/// <summary>appsettings.json in the working directory and Rag__ environment variables choose the model of ask and demo.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Appsettings_json_and_Rag_environment_variables_change_the_model_ask_and_demo_use()
    {
        var fromFile = _dir.Combine("from-appsettings.gguf");
        var fromEnv = _dir.Combine("from-environment.gguf");
        File.Copy(TestModels.Stories260K, fromFile);
        File.Copy(TestModels.Stories260K, fromEnv);
        _dir.File("appsettings.json", $$"""
            { "Rag": { "Model": { "Chat": { "ModelPath": "{{fromFile}}" } }, "Answer": { "MaxOutputTokens": 4 } } }
            """);

        var (code, output, err) = await RagProcess.RunAsync(_dir.Path, null, "demo", "--index", "idx", "--data", RagProcess.SamplesData);
        Assert.True(code == 0, err);
        Assert.Contains("Model: from-appsettings.gguf", output, StringComparison.Ordinal);

        (code, output, err) = await RagProcess.RunAsync(_dir.Path, null, "ask", "How long are snapshots kept?", "--index", "idx");
        Assert.True(code == 0, err);
        Assert.Contains("Model: from-appsettings.gguf", output, StringComparison.Ordinal);

        var env = new Dictionary<string, string> { ["Rag__Model__Chat__ModelPath"] = fromEnv, ["Rag__Index__Directory"] = "idx" };
        (code, output, err) = await RagProcess.RunAsync(_dir.Path, env, "ask", "How long are snapshots kept?");
        Assert.True(code == 0, err);
        Assert.Contains("Model: from-environment.gguf", output, StringComparison.Ordinal);

        (code, output, err) = await RagProcess.RunAsync(_dir.Path, env, "demo", "--index", "idx", "--data", RagProcess.SamplesData);
        Assert.True(code == 0, err);
        Assert.Contains("Model: from-environment.gguf", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_setting_in_appsettings_json_is_one_usage_error()
    {
        _dir.File("appsettings.json", """{ "Rag": { "Model": { "Chat": { "Threads": 0 } } } }""");
        var (code, output, err) = await RagProcess.RunAsync(_dir.Path, null, "ask", "q");
        Assert.Equal(2, code);
        Assert.Empty(output);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rag: error: ", line, StringComparison.Ordinal);
        Assert.Contains("Threads", line, StringComparison.Ordinal);
    }
}
