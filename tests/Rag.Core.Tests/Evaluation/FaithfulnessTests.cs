using Microsoft.Extensions.AI;
using Rag.Core.Embeddings;
using Rag.Core.Evaluation.Faithfulness;
using Rag.Core.Evaluation.Reports;
using Rag.Core.Evaluation.Statistics;
using Rag.Core.Evaluation.Suites;

namespace Rag.Core.Tests.Evaluation;

public class FaithfulnessTests
{
    private const string Context = "The Eiffel Tower was completed in 1889. It is 330 metres tall and stands in Paris.";

    [Fact]
    public async Task Copied_answer_is_fully_supported_and_invented_sentence_is_not()
    {
        var support = new SupportFaithfulnessEvaluator(new SupportFaithfulnessOptions { SemanticWeight = 0 });
        var faithful = await support.EvaluateAsync("The tower was completed in 1889. It stands in Paris!", [Context]);
        Assert.Equal(1.0, faithful.Score, 12);
        Assert.Equal(2, faithful.Claims.Count);
        Assert.All(faithful.Claims, c => Assert.True(c.Supported));

        var mixed = await support.EvaluateAsync("The tower was completed in 1889. Gustave Eiffel hated its green colour.", [Context]);
        Assert.False(mixed.Claims[1].Supported);
        // Content words: [tower, complet, 1889] all found; [gustav, eiffel, hate, its, green, colour]: only 'eiffel' found
        // ('its' is not on Lucene's stop list).
        Assert.Equal((3 + 1) / 9.0, mixed.Score, 12);
        Assert.Equal(6, mixed.Claims[1].Weight);
    }

    [Fact]
    public async Task Stop_words_do_not_earn_support_and_an_empty_answer_claims_nothing()
    {
        var support = new SupportFaithfulnessEvaluator(new SupportFaithfulnessOptions { SemanticWeight = 0 });
        var r = await support.EvaluateAsync("It is in the Louvre.", [Context]);
        Assert.Equal(0.0, r.Score, 12); // 'it', 'is', 'in', 'the' are stop words; 'louvre' is not in the context
        var empty = await support.EvaluateAsync("  ", [Context]);
        Assert.Equal(1.0, empty.Score);
        Assert.Empty(empty.Claims);
    }

    [Fact]
    public async Task Semantic_support_needs_an_explicit_embedder_and_stays_in_range()
    {
        Assert.Throws<ArgumentException>(() => new SupportFaithfulnessEvaluator(new SupportFaithfulnessOptions { SemanticWeight = 0.5 }));
        using var hashing = new HashingEmbeddingGenerator();
        var support = new SupportFaithfulnessEvaluator(new SupportFaithfulnessOptions { SemanticWeight = 0.5 }, hashing);
        Assert.Equal("support", support.Name);
        var same = await support.EvaluateAsync("The Eiffel Tower was completed in 1889.", [Context]);
        Assert.Equal(1.0, same.Score, 5); // identical sentence: lexical 1, cosine 1
        var other = await support.EvaluateAsync("Bananas grow on tall plants in tropical regions.", [Context]);
        Assert.InRange(other.Score, 0.0, 0.5);
        Assert.Contains("semantic", other.Claims[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Roc_auc_equals_scikit_learn_including_ties()
    {
        // sklearn.metrics.roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.75; with ties ... = 0.7777777777777778
        Assert.Equal(0.75, RocCurve.Auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 12);
        Assert.Equal(0.7777777777777778, RocCurve.Auc([0.5, 0.5, 0.2, 0.9, 0.5, 0.5], [false, true, false, true, true, false]), 12);
        Assert.Throws<ArgumentException>(() => RocCurve.Auc([0.1, 0.2], [true, true]));
        Assert.Throws<ArgumentException>(() => RocCurve.Auc([0.1], [true, false]));
    }

    // Acceptance (issue 12, point 3) without the embedding model: the lexical support variant and both baselines on the
    // full BEGIN WoW test set. The MiniLM run is in docs/EVALUATION.md (rag eval faithfulness).
    [Fact]
    public async Task Begin_lexical_support_beats_both_token_overlap_baselines()
    {
        var suite = new FaithfulnessSuite(new SupportFaithfulnessEvaluator(new SupportFaithfulnessOptions { SemanticWeight = 0 }));
        var progress = new List<EvaluationProgress>();
        var report = await suite.RunAsync(
            new FaithfulnessSuiteSettings { DatasetPath = SharedFiles.Data(Path.Combine("begin", "begin_test_wow.tsv")) },
            new SyncProgress<EvaluationProgress>(progress.Add));
        double Metric(string name) => report.Metrics.Single(m => m.Name == name).Value;
        Assert.Equal(3607, Metric("examples"));
        Assert.Equal(0.9407, Metric("ROC-AUC token-overlap precision"), 4);
        Assert.Equal(0.8326, Metric("ROC-AUC token F1"), 4);
        Assert.True(Metric("ROC-AUC support") >= 0.94, $"support ROC-AUC {Metric("ROC-AUC support")}");
        Assert.True(Metric("ROC-AUC support") > Metric("ROC-AUC token-overlap precision"));
        Assert.Equal(3607, progress[^1].Done);
        Assert.Single(report.Charts);
        Assert.Equal(3607, report.Items.Count);
    }

    [Fact]
    public async Task Bad_begin_files_fail_with_the_file_and_line()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rag-eval-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "bad.tsv");
            await File.WriteAllTextAsync(path, "model_name\tdata_source\tknowledge\tmessage\tresponse\tbegin_label\nm\twow\tk\tmsg\n");
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => BeginDataset.LoadAsync(path));
            Assert.Contains("bad.tsv:2", e.Message, StringComparison.Ordinal);
            await File.WriteAllTextAsync(path, "a\tb\n");
            e = await Assert.ThrowsAsync<InvalidDataException>(() => BeginDataset.LoadAsync(path));
            Assert.Contains("not a BEGIN file", e.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<FileNotFoundException>(() => BeginDataset.LoadAsync(Path.Combine(dir, "missing.tsv")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("{\"supported\": true}", true)]
    [InlineData(" { \"supported\" : false } ", false)]
    [InlineData("Sure! {\"supported\": \"yes\"} hope that helps", true)]
    [InlineData("The claim is not supported by the context.", false)]
    [InlineData("Yes.", true)]
    [InlineData("Once upon a time there was a dog", null)]
    public void Judge_verdicts_are_read_leniently(string reply, bool? expected) => Assert.Equal(expected, JudgeReplies.ReadVerdict(reply));

    [Fact]
    public void Judge_claim_lists_are_read_from_json_anywhere_in_the_reply()
    {
        Assert.Equal(["A.", "B."], JudgeReplies.ReadClaims("Here: {\"claims\": [\"A.\", \" B. \", \"A.\", \"\"]}"));
        Assert.Null(JudgeReplies.ReadClaims("{\"claims\": [\"never closed"));
        Assert.Null(JudgeReplies.ReadClaims("no json"));
    }

    // The judge loop over recorded replies (as the agents' loop tests use recorded transcripts): claim list, then one
    // verdict per claim; an unreadable claim list falls back to the answer's sentences and is counted.
    [Fact]
    public async Task Judge_scores_the_share_of_supported_claims_and_counts_unreadable_replies()
    {
        var recorded = new RecordedChatClient("{\"claims\": [\"The tower is in Paris.\", \"It is green.\"]}", "{\"supported\": true}", "{\"supported\": false}");
        var judge = new JudgeFaithfulnessEvaluator(recorded);
        var r = await judge.EvaluateAsync("The tower is in Paris and green.", [Context]);
        Assert.Equal(0.5, r.Score);
        Assert.Equal(0, r.Unparsed);
        Assert.Equal(["The tower is in Paris.", "It is green."], r.Claims.Select(c => c.Claim));
        Assert.All(recorded.Options, o => Assert.IsType<ChatResponseFormatJson>(o!.ResponseFormat));
        Assert.Contains(Context, recorded.Prompts[1], StringComparison.Ordinal);

        var garbled = new RecordedChatClient("{\"claims\": [\"Remy said", "{\"supported\": true}", "banana");
        var g = await new JudgeFaithfulnessEvaluator(garbled).EvaluateAsync("First sentence. Second sentence.", [Context]);
        Assert.Equal(["First sentence.", "Second sentence."], g.Claims.Select(c => c.Claim));
        Assert.Equal(2, g.Unparsed); // the claim list and the second verdict
        Assert.Equal(0.5, g.Score);
        Assert.NotNull(g.UnreadableClaimList);
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>Replays recorded judge replies in order and keeps what it was asked.</summary>
    private sealed class RecordedChatClient(params string[] replies) : IChatClient
    {
        private int _next;

        public List<string> Prompts { get; } = [];

        public List<ChatOptions?> Options { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Prompts.Add(string.Join("\n", messages.Select(m => m.Text)));
            Options.Add(options);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, replies[_next++])));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
