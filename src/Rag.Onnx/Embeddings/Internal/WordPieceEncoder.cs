using Microsoft.ML.Tokenizers;

namespace Rag.Onnx.Embeddings.Internal;

/// <summary>
/// BERT's tokenization through Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/>: basic tokenization (whitespace,
/// punctuation and CJK splitting, lower-casing and accent stripping for uncased vocabularies), WordPiece, then
/// [CLS] … [SEP], cut to the model's length the way Hugging Face truncates (the first word pieces are kept).
/// Two steps are ours, where the library departs from Hugging Face: the text is cleaned and (for uncased models)
/// decomposed first (<see cref="TextCleaner"/>), and words are split as BERT splits them (<see cref="BertPreTokenizer"/>).
/// </summary>
internal sealed class WordPieceEncoder
{
    private readonly BertTokenizer _tokenizer;
    private readonly bool _lowerCase;

    public WordPieceEncoder(byte[] vocabulary, bool lowerCase, int maxTokens)
    {
        // BertTokenizer reads the vocabulary line by line, so the CR LF endings of the packaged vocab.txt are handled
        // (checked by a test: every token id matches the Hugging Face tokenizer's on the quickstart sentences).
        _lowerCase = lowerCase;
        _tokenizer = BertTokenizer.Create(new MemoryStream(vocabulary, writable: false), new BertOptions
        {
            LowerCaseBeforeTokenization = lowerCase,
            RemoveNonSpacingMarks = lowerCase, // Hugging Face: strip_accents follows do_lower_case unless set
            ApplyBasicTokenization = true,
            IndividuallyTokenizeCjk = true,
            SplitOnSpecialTokens = true,
            PreTokenizer = BertPreTokenizer.Instance,
        });
        MaxTokens = maxTokens;
        ClsId = _tokenizer.ClassificationTokenId;
        SepId = _tokenizer.SeparatorTokenId;
        PadId = _tokenizer.PaddingTokenId;
    }

    public int MaxTokens { get; }

    public int ClsId { get; }

    public int SepId { get; }

    public int PadId { get; }

    /// <summary>Most pieces one word can give: BERT leaves words over 100 characters as [UNK].</summary>
    private const int MaxWordPieces = 100;

    /// <summary>[CLS], the first <see cref="MaxTokens"/> - 2 word pieces of <paramref name="text"/>, [SEP].</summary>
    public int[] Encode(string text)
    {
        text = TextCleaner.Clean(text, _lowerCase);

        // Hugging Face truncates at the word piece, even inside a word; Microsoft.ML.Tokenizers' limit stops before a word
        // that would not fit whole. So ask for more (a word is at most 100 characters, so at most 100 pieces) and cut here.
        int keep = MaxTokens - 2;
        var pieces = _tokenizer.EncodeToIds(text, keep + MaxWordPieces, addSpecialTokens: false, out _, out _);
        int count = Math.Min(pieces.Count, keep);
        var ids = new int[count + 2];
        ids[0] = ClsId;
        for (int i = 0; i < count; i++)
        {
            ids[i + 1] = pieces[i];
        }

        ids[^1] = SepId;
        return ids;
    }
}
