using System.Security.Cryptography;
using System.Text;
using Rag.Core.Documents;

namespace Rag.Ingest.Pipeline.Internal;

/// <summary>
/// SHA-256 over everything that decides a document's chunks and vectors: the chunking fingerprint, the embedding
/// model, the title, the (already normalized) text and the metadata in key order. Fields are length-prefixed so
/// different splits of the same characters never collide.
/// </summary>
internal static class ContentHasher
{
    public static string Hash(RagDocument document, string settingsFingerprint)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(sha, settingsFingerprint);
        Append(sha, document.Title ?? string.Empty);
        Append(sha, document.Text);
        if (document.Metadata is not null)
        {
            foreach (var (key, value) in document.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Append(sha, key);
                Append(sha, value);
            }
        }

        foreach (var section in document.Sections)
        {
            Append(sha, string.Join('\u001F', section.HeadingPath));
            Append(sha, $"{section.Start}:{section.Length}");
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static void Append(IncrementalHash sha, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        sha.AppendData(length);
        sha.AppendData(bytes);
    }
}
