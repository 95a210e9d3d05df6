using System.Text;

namespace Rag.Model.Tests;

/// <summary>
/// Tokenization against llama.cpp's own reference vectors for the LLaMA-2 SentencePiece vocabulary
/// (TestData/ggml-vocab-llama-spm.gguf.inp/.out, copied from models/ of the pinned source bundle and read the way
/// tests/test-tokenizer-0.cpp reads them: add_special = false, parse_special = false). llama-2-tiny-random carries the
/// same 32,000-token vocabulary as ggml-vocab-llama-spm.gguf.
/// </summary>
public sealed class TokenizerTests : IDisposable
{
    private readonly LlamaModel _model = LlamaModel.Load(TestModels.Llama2TinyRandom, new LlamaModelLoadOptions { VocabOnly = true });

    public void Dispose() => _model.Dispose();

    [Fact]
    public void Matches_llama_cpp_reference_vectors()
    {
        var raw = File.ReadAllText(TestModels.TestData("ggml-vocab-llama-spm.gguf.inp"), Encoding.UTF8);
        var inputs = raw.Split("\n__ggml_vocab_test__\n");
        if (inputs[^1].Length == 0)
        {
            inputs = inputs[..^1];
        }

        var outputs = File.ReadAllLines(TestModels.TestData("ggml-vocab-llama-spm.gguf.out"));
        Assert.Equal(outputs.Length, inputs.Length);
        Assert.True(inputs.Length > 40);

        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = outputs[i].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            var actual = _model.Tokenize(inputs[i], addSpecial: false, parseSpecial: false);
            Assert.True(expected.SequenceEqual(actual), $"case {i} '{inputs[i]}': expected [{string.Join(' ', expected)}] got [{string.Join(' ', actual)}]");
        }
    }

    [Fact]
    public void Adds_bos_when_the_model_says_so()
    {
        Assert.True(_model.Metadata.AddsBos);
        var ids = _model.Tokenize("Hello world");
        Assert.Equal(_model.Metadata.BosToken, ids[0]);
        Assert.Equal(1, ids[0]);
        Assert.Equal(_model.Tokenize("Hello world", addSpecial: false), ids[1..]);
    }

    [Fact]
    public void Special_token_text_is_parsed_only_when_asked()
    {
        var parsed = _model.Tokenize("<s>Hi", addSpecial: false, parseSpecial: true);
        var plain = _model.Tokenize("<s>Hi", addSpecial: false, parseSpecial: false);
        Assert.Equal(1, parsed[0]);
        Assert.DoesNotContain(1, plain);
    }

    [Fact]
    public void Byte_fallback_round_trips_characters_outside_the_vocabulary()
    {
        // U+1F999 (llama emoji) is not a SentencePiece piece: it is encoded as four <0xNN> byte tokens.
        var text = "a 🦙 b";
        var ids = _model.Tokenize(text, addSpecial: false);
        var byteTokens = ids.Where(t => _model.TokenText(t).StartsWith("<0x", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, byteTokens.Count);
        Assert.Equal(new byte[] { 0xF0 }, _model.TokenToPiece(byteTokens[0]));
        Assert.Equal(text, _model.Detokenize(ids).TrimStart());
    }

    [Fact]
    public void Detokenize_is_the_inverse_of_tokenize()
    {
        var text = "The quick brown fox — naïve café, 42 × 7.";
        var ids = _model.Tokenize(text);
        // SentencePiece adds a space prefix when encoding; llama.cpp's detokenizer keeps it (as common_detokenize does).
        Assert.Equal(" " + text, _model.Detokenize(ids, removeSpecial: true));
        Assert.Equal(ids[1..], _model.Tokenize(text, addSpecial: false));
    }

    [Fact]
    public void Invalid_token_ids_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _model.Detokenize(new[] { 5, 32000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _model.TokenToPiece(-1));
    }
}
