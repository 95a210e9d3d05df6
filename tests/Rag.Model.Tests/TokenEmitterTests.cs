using System.Text;
using Rag.Model.Inference;
using Rag.Model.Inference.Internal;

namespace Rag.Model.Tests;

/// <summary>The per-token emitter that LlamaContext and the batch scheduler share (issue 9: one generation loop).</summary>
public class TokenEmitterTests
{
    [Fact]
    public void A_character_split_across_tokens_is_emitted_whole_with_its_last_byte()
    {
        var emitter = new TokenEmitter(new GenerationOptions { MaxTokens = 10 });
        var euro = Encoding.UTF8.GetBytes("€"); // 3 bytes
        Assert.Equal("", emitter.Emit(1, false, euro.AsSpan(0, 2)).Text);
        var t = emitter.Emit(2, false, euro.AsSpan(2));
        Assert.Equal("€", t.Text);
        Assert.Null(t.Finish);
    }

    [Fact]
    public void A_stop_string_spanning_tokens_ends_generation_with_the_text_before_it()
    {
        var emitter = new TokenEmitter(new GenerationOptions { MaxTokens = 10, StopStrings = ["</s>"] });
        var texts = new List<string>();
        GeneratedToken t = default;
        foreach (var piece in new[] { "ab", "c</", "s>", "never" })
        {
            t = emitter.Emit(7, false, Encoding.UTF8.GetBytes(piece));
            texts.Add(t.Text);
            if (t.Finish is not null)
            {
                break;
            }
        }

        Assert.Equal(FinishReason.StopString, t.Finish);
        Assert.Equal("abc", string.Concat(texts));
    }

    [Fact]
    public void The_budget_ends_on_the_last_token_and_releases_held_back_text()
    {
        var emitter = new TokenEmitter(new GenerationOptions { MaxTokens = 2, StopStrings = ["</s>"] });
        Assert.Equal("x", emitter.Emit(1, false, "x"u8).Text);
        var last = emitter.Emit(2, false, "</"u8); // could still become the stop string, so it was held back
        Assert.Equal(FinishReason.MaxTokens, last.Finish);
        Assert.Equal("</", last.Text);
        Assert.Equal(2, emitter.Generated);
    }

    [Fact]
    public void End_of_generation_carries_no_piece_unless_ignored()
    {
        var stop = new TokenEmitter(new GenerationOptions { MaxTokens = 5 });
        var eog = stop.Emit(2, true, "EOS"u8);
        Assert.Equal(FinishReason.EndOfGeneration, eog.Finish);
        Assert.Equal("", eog.Text);

        var ignore = new TokenEmitter(new GenerationOptions { MaxTokens = 5, IgnoreEndOfGeneration = true });
        var t = ignore.Emit(2, true, "EOS"u8);
        Assert.Null(t.Finish);
        Assert.Equal("EOS", t.Text);
    }

    [Fact]
    public void Context_full_keeps_the_token_and_flushes_the_tail()
    {
        var emitter = new TokenEmitter(new GenerationOptions { MaxTokens = 5, StopStrings = ["</s>"] });
        var t = emitter.Emit(3, false, "a</"u8);
        Assert.Equal("a", t.Text);
        var full = emitter.ContextFull(t);
        Assert.Equal(FinishReason.ContextFull, full.Finish);
        Assert.Equal("a</", full.Text);
        Assert.Equal(3, full.TokenId);
    }
}
