using Rag.Model.Sampling;
using Rag.Model.Sampling.Internal;

namespace Rag.Model.Tests;

public class JsonSchemaGrammarTests
{
    [Fact]
    public void Produces_a_root_rule_and_required_members_in_order()
    {
        var g = JsonSchemaGrammar.Convert("""{"type":"object","properties":{"b":{"type":"integer"},"a":{"type":"string"}},"required":["a"]}""");
        Assert.StartsWith("root ::= ", g);
        var rule = g.Split('\n').First(l => l.StartsWith("root-2 ::=", StringComparison.Ordinal));
        Assert.True(rule.IndexOf("\\\"a\\\"", StringComparison.Ordinal) < rule.IndexOf("\\\"b\\\"", StringComparison.Ordinal));
        Assert.Contains(")?", rule);
    }

    [Fact]
    public void Enum_values_become_json_literals()
    {
        var g = JsonSchemaGrammar.Convert("""{"enum":["x y", 3, null]}""");
        Assert.Contains("\"\\\"x y\\\"\" ws", g);
        Assert.Contains("\"3\" ws", g);
        Assert.Contains("\"null\" ws", g);
    }

    [Fact]
    public void Unsupported_keywords_and_bad_json_throw()
    {
        Assert.Throws<NotSupportedException>(() => JsonSchemaGrammar.Convert("""{"$ref":"#/defs/x"}"""));
        Assert.Throws<ArgumentException>(() => JsonSchemaGrammar.Convert("{not json"));
    }

    [Fact]
    public void Grammar_is_accepted_by_llama_cpp()
    {
        using var model = LlamaModel.Load(TestModels.Stories260K);
        using var sampler = LlamaSampler.Create(model, new SamplingOptions
        {
            Temperature = 0,
            JsonSchema = """{"type":"object","properties":{"items":{"type":"array","items":{"anyOf":[{"type":"number"},{"type":"boolean"}]},"minItems":1},"n":{"type":["integer","null"]}}}""",
        });
        Assert.NotNull(sampler);
    }
}
