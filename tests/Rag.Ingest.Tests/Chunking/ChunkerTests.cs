using System.Text;
using Rag.Core.Documents;
using Rag.Ingest.Chunking;
using Rag.Ingest.Loaders;

namespace Rag.Ingest.Tests.Chunking;

public class ChunkerTests
{
    private static readonly ITokenCounter Counter = TiktokenTokenCounter.Default;

    private static string RandomProse(int seed, int paragraphs)
    {
        var rng = new Random(seed);
        string[] words = ["the", "model", "retrieves", "passages", "quickly", "and", "reliably", "with", "hybrid", "search", "over", "indexes",
            "e.g.", "Dr.", "Smith", "measured", "3.5", "percent", "latency", "résumé", "naïve", "数据", "🙂", "x"];
        var sb = new StringBuilder();
        for (int p = 0; p < paragraphs; p++)
        {
            int sentences = rng.Next(1, 12);
            for (int s = 0; s < sentences; s++)
            {
                int n = rng.Next(3, 40);
                for (int w = 0; w < n; w++)
                {
                    string word = words[rng.Next(words.Length)];
                    sb.Append(w == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word).Append(w == n - 1 ? ". " : rng.Next(12) == 0 ? "\n" : " ");
                }
            }

            if (rng.Next(5) == 0)
            {
                sb.Append(new string('a', rng.Next(100, 3000))); // a token-dense run without separators
            }

            sb.Append("\n\n");
        }

        return sb.ToString().TrimEnd();
    }

    public static TheoryData<ChunkingStrategy, int, int> Settings() => new()
    {
        { ChunkingStrategy.Recursive, 64, 16 },
        { ChunkingStrategy.Recursive, 200, 0 },
        { ChunkingStrategy.Markdown, 50, 10 },
        { ChunkingStrategy.Sentence, 80, 20 },
        { ChunkingStrategy.Sentence, 16, 4 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Chunks_are_exact_spans_within_the_token_limit_and_cover_the_text(ChunkingStrategy strategy, int max, int overlap)
    {
        var chunker = ChunkerFactory.Create(new ChunkingOptions { Strategy = strategy, MaxTokens = max, OverlapTokens = overlap }, Counter);
        for (int seed = 0; seed < 12; seed++)
        {
            string text = RandomProse(seed, 1 + (seed % 6));
            var doc = new RagDocument($"doc{seed}", text, "T", new Dictionary<string, string> { ["k"] = "v" });
            var chunks = chunker.Split(doc);
            Assert.NotEmpty(chunks);
            int covered = 0;
            for (int i = 0; i < chunks.Count; i++)
            {
                var c = chunks[i];
                Assert.Equal(i, c.Ordinal);
                Assert.Equal($"doc{seed}#{i}", c.Id);
                Assert.Equal(doc.Id, c.DocumentId);
                Assert.Equal("T", c.Title);
                Assert.Equal("v", c.Metadata["k"]);
                Assert.Equal(text.Substring(c.Start, c.Length), c.Text);
                Assert.InRange(Counter.CountTokens(c.Text), 1, max);
                Assert.Equal(c.Text.Trim(), c.Text);
                if (i > 0)
                {
                    Assert.True(c.Start > chunks[i - 1].Start, "chunks advance");
                    // No text is skipped between chunks except whitespace.
                    Assert.True(c.Start <= covered || text[covered..c.Start].Trim().Length == 0, $"gap before chunk {i}");
                }

                covered = Math.Max(covered, c.Start + c.Length);
            }

            Assert.Equal(text.TrimEnd().Length, covered);
        }
    }

    [Fact]
    public void Overlap_repeats_the_end_of_the_previous_chunk_within_the_budget()
    {
        var chunker = new RecursiveChunker(new ChunkingOptions { MaxTokens = 60, OverlapTokens = 15 }, Counter);
        string text = string.Join(' ', Enumerable.Range(0, 400).Select(i => $"word{i}"));
        var chunks = chunker.Split(new RagDocument("d", text));
        Assert.True(chunks.Count > 5);
        for (int i = 1; i < chunks.Count; i++)
        {
            int prevEnd = chunks[i - 1].Start + chunks[i - 1].Length;
            Assert.True(chunks[i].Start < prevEnd, $"chunk {i} overlaps its predecessor");
            int overlapTokens = Counter.CountTokens(text.AsSpan(chunks[i].Start, prevEnd - chunks[i].Start));
            Assert.InRange(overlapTokens, 1, 15);
            Assert.True(chunks[i].Start == 0 || text[chunks[i].Start - 1] == ' ', "overlap starts at a word");
        }
    }

    [Fact]
    public void Zero_overlap_gives_disjoint_chunks()
    {
        var chunker = new RecursiveChunker(new ChunkingOptions { MaxTokens = 40, OverlapTokens = 0 }, Counter);
        var chunks = chunker.Split(new RagDocument("d", RandomProse(3, 4)));
        for (int i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].Start >= chunks[i - 1].Start + chunks[i - 1].Length);
        }
    }

    [Fact]
    public void Markdown_chunks_stay_in_their_section_and_carry_its_heading_path()
    {
        string md = """
            # Install

            Download the package. Unpack it anywhere you like.

            ## Linux

            Run the installer with sudo. It writes to /opt. Then add /opt/bin to PATH so the shell finds it.
            Restart the shell afterwards.

            ## Windows

            Double-click the MSI.

            # Configure

            Edit the settings file. Every key has a comment that explains it.
            """;
        var doc = MarkdownLoader.FromMarkdown("guide.md", md);
        var chunks = new MarkdownChunker(new ChunkingOptions { MaxTokens = 12, OverlapTokens = 3 }, Counter).Split(doc);

        foreach (var c in chunks)
        {
            var section = doc.Sections.Single(s => c.Start >= s.Start && c.Start < s.Start + s.Length);
            Assert.True(c.Start + c.Length <= section.Start + section.Length, $"chunk '{c.Text}' crosses its section");
            Assert.Equal(section.HeadingPath, c.HeadingPath);
            Assert.Equal(doc.Text.Substring(c.Start, c.Length), c.Text);
        }

        Assert.Contains(chunks, c => c.HeadingPath.SequenceEqual(["Install", "Linux"]) && c.Text.Contains("sudo", StringComparison.Ordinal));
        Assert.Contains(chunks, c => c.HeadingPath.SequenceEqual(["Configure"]));
    }

    [Fact]
    public void Sentence_chunks_hold_whole_sentences()
    {
        string text = "Alpha beta gamma. Delta epsilon zeta eta! Theta iota? Kappa lambda mu nu xi. Omicron pi rho. Sigma tau upsilon. Phi chi psi omega.";
        var chunks = new SentenceChunker(new ChunkingOptions { MaxTokens = 12, OverlapTokens = 5 }, Counter).Split(new RagDocument("s", text));
        Assert.True(chunks.Count > 1);
        foreach (var c in chunks)
        {
            Assert.True(c.Start == 0 || text[c.Start - 2] is '.' or '!' or '?', $"'{c.Text}' starts mid-sentence");
            Assert.True(c.Text[^1] is '.' or '!' or '?', $"'{c.Text}' ends mid-sentence");
        }
    }

    [Fact]
    public void Abbreviations_do_not_end_sentences()
    {
        string text = "See Dr. Smith et al. for details. Results differ, e.g. In vitro. Next one.";
        var chunks = new SentenceChunker(new ChunkingOptions { MaxTokens = 12, OverlapTokens = 0 }, Counter).Split(new RagDocument("s", text));
        Assert.Equal("See Dr. Smith et al. for details.", chunks[0].Text);
    }

    [Fact]
    public void Recursive_chunks_carry_the_heading_path_where_they_start()
    {
        var doc = MarkdownLoader.FromMarkdown("d", "# A\n\nText of a.\n\n# B\n\nText of b.");
        var chunks = new RecursiveChunker(new ChunkingOptions { MaxTokens = 8, OverlapTokens = 0 }, Counter).Split(doc);
        Assert.Equal(["A"], chunks[0].HeadingPath);
        Assert.Equal(["B"], chunks[^1].HeadingPath);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new ChunkingOptions { MaxTokens = 100, OverlapTokens = 100 }.Validate());
        Assert.Throws<ArgumentException>(() => new ChunkingOptions { OverlapTokens = -1 }.Validate());
        Assert.Throws<ArgumentException>(() => new ChunkingOptions { MaxTokens = 4, OverlapTokens = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new RecursiveChunker(new ChunkingOptions { MaxTokens = 10, OverlapTokens = 20 }));
        Assert.Throws<ArgumentException>(() => new ChunkingOptions { Strategy = (ChunkingStrategy)42 }.Validate());
    }

    [Fact]
    public void Sections_outside_the_text_are_rejected()
    {
        var doc = new RagDocument("d", "short") { Sections = [new DocumentSection(["H"], 2, 10)] };
        var ex = Assert.Throws<ArgumentException>(() => new MarkdownChunker(new ChunkingOptions()).Split(doc));
        Assert.Contains("outside its text", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tiktoken_counter_counts_like_cl100k()
    {
        Assert.Equal(0, Counter.CountTokens(""));
        Assert.Equal(2, Counter.CountTokens("Hello world"));
        Assert.Equal("tiktoken:cl100k_base", Counter.Name);
    }
}
