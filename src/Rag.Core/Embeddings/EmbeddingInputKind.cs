using Microsoft.Extensions.AI;

namespace Rag.Core.Embeddings;

/// <summary>
/// What the texts of one <see cref="IEmbeddingGenerator{TInput, TEmbedding}.GenerateAsync"/> call are. Asymmetric models
/// (snowflake-arctic-embed, E5, BGE, Nomic...) embed a search query differently from the passages it should find, usually
/// by a prefix; symmetric models (all-MiniLM-L6-v2) treat both alike. Say it with <see cref="EmbeddingInput"/>.
/// </summary>
public enum EmbeddingInputKind
{
    /// <summary>A passage to be indexed and found. The default when a call says nothing.</summary>
    Document = 0,

    /// <summary>A search query.</summary>
    Query = 1,
}

/// <summary>
/// Carries an <see cref="EmbeddingInputKind"/> through Microsoft.Extensions.AI's
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>, under <see cref="KindPropertyName"/>, so any
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> can be told that it is embedding queries without a new interface.
/// Generators that know no such distinction ignore the property.
/// </summary>
/// <example>
/// <code>
/// var vectors = await generator.GenerateAsync(["what is bm25?"], EmbeddingInput.ForQueries());
/// </code>
/// </example>
public static class EmbeddingInput
{
    /// <summary>The <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> key; its value is an <see cref="EmbeddingInputKind"/> or its name.</summary>
    public const string KindPropertyName = "rag.input_kind";

    /// <summary>
    /// Returns options that mark the inputs as queries: a copy of <paramref name="options"/> (which is not changed) with
    /// <see cref="KindPropertyName"/> set, or new options when it is null.
    /// </summary>
    public static EmbeddingGenerationOptions ForQueries(EmbeddingGenerationOptions? options = null) => WithKind(options, EmbeddingInputKind.Query);

    /// <summary>Returns a copy of <paramref name="options"/> (or new options) whose inputs are of <paramref name="kind"/>.</summary>
    public static EmbeddingGenerationOptions WithKind(EmbeddingGenerationOptions? options, EmbeddingInputKind kind)
    {
        var copy = options?.Clone() ?? new EmbeddingGenerationOptions();
        copy.AdditionalProperties = copy.AdditionalProperties?.Clone() ?? [];
        copy.AdditionalProperties[KindPropertyName] = kind;
        return copy;
    }

    /// <summary>
    /// The kind <paramref name="options"/> carry: <see cref="EmbeddingInputKind.Document"/> when they carry none.
    /// </summary>
    /// <exception cref="ArgumentException">The property holds something other than a kind or a kind's name.</exception>
    public static EmbeddingInputKind GetKind(EmbeddingGenerationOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties || !properties.TryGetValue(KindPropertyName, out var value) || value is null)
        {
            return EmbeddingInputKind.Document;
        }

        return value switch
        {
            EmbeddingInputKind kind when Enum.IsDefined(kind) => kind,
            string name when Enum.TryParse<EmbeddingInputKind>(name, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) => parsed,
            _ => throw new ArgumentException(
                $"EmbeddingGenerationOptions.AdditionalProperties['{KindPropertyName}'] is '{value}'; expected 'query' or 'document'.", nameof(options)),
        };
    }
}
