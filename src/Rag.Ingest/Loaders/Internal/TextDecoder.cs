using System.Text;

namespace Rag.Ingest.Loaders.Internal;

/// <summary>Decoded text plus the encoding decision, for the document's metadata.</summary>
internal readonly record struct DecodedText(string Text, string EncodingName, int ReplacedBytes);

/// <summary>
/// Byte-to-text decoding for text formats: BOM first, then strict UTF-8, then a choice between lossy UTF-8 and
/// Windows-1252 depending on which explains the bytes better.
/// </summary>
internal static class TextDecoder
{
    private const int SniffBytes = 8192;

    private static readonly Lazy<Encoding> Windows1252 = new(() =>
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    });

    /// <summary>Rejects content that is not text: NUL bytes or too many control characters near the start.</summary>
    public static void ThrowIfBinary(ReadOnlySpan<byte> bytes, string sourceName, double maxControlRatio)
    {
        if (HasUtf16Or32Bom(bytes))
        {
            return;
        }

        var sniff = bytes[..Math.Min(bytes.Length, SniffBytes)];
        int nul = sniff.IndexOf((byte)0);
        if (nul >= 0)
        {
            throw new DocumentLoadException($"'{sourceName}' has binary content (a NUL byte at offset {nul}); it is not a text file.");
        }

        int control = 0;
        foreach (byte b in sniff)
        {
            // Tab, LF, CR, FF and ESC occur in real text files (ESC in terminal logs); other C0 codes do not.
            if (b < 0x20 && b is not (0x09 or 0x0A or 0x0D or 0x0C or 0x1B))
            {
                control++;
            }
        }

        if (sniff.Length > 0 && (double)control / sniff.Length > maxControlRatio)
        {
            throw new DocumentLoadException(
                $"'{sourceName}' has binary content ({control} control bytes in the first {sniff.Length}); it is not a text file.");
        }
    }

    public static DecodedText Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return DecodeUtf8(bytes[3..]);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
        {
            return new DecodedText(new UTF32Encoding(false, false).GetString(bytes[4..]), "utf-32le", 0);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return new DecodedText(Encoding.Unicode.GetString(bytes[2..]), "utf-16le", 0);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return new DecodedText(Encoding.BigEndianUnicode.GetString(bytes[2..]), "utf-16be", 0);
        }

        return DecodeUtf8(bytes);
    }

    private static DecodedText DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        var (validMultiByte, invalid) = ScanUtf8(bytes);
        if (invalid == 0)
        {
            return new DecodedText(Encoding.UTF8.GetString(bytes), "utf-8", 0);
        }

        // Mostly-UTF-8 files with a few damaged bytes keep their real characters (bad bytes become U+FFFD);
        // files whose high bytes are never valid UTF-8 are legacy 8-bit text, and Windows-1252 (a superset of the
        // printable Latin-1 range) reads them correctly.
        if (validMultiByte >= invalid)
        {
            return new DecodedText(Encoding.UTF8.GetString(bytes), "utf-8", invalid);
        }

        return new DecodedText(Windows1252.Value.GetString(bytes), "windows-1252", 0);
    }

    private static (int ValidMultiByte, int Invalid) ScanUtf8(ReadOnlySpan<byte> bytes)
    {
        int valid = 0, invalid = 0, i = 0;
        while (i < bytes.Length)
        {
            byte b = bytes[i];
            if (b < 0x80)
            {
                i++;
                continue;
            }

            int need = b switch
            {
                >= 0xC2 and <= 0xDF => 1,
                >= 0xE0 and <= 0xEF => 2,
                >= 0xF0 and <= 0xF4 => 3,
                _ => -1,
            };
            bool ok = need > 0;
            if (ok)
            {
                for (int k = 1; k <= need; k++)
                {
                    if (i + k >= bytes.Length || (bytes[i + k] & 0xC0) != 0x80)
                    {
                        ok = false;
                        break;
                    }
                }
            }

            if (ok)
            {
                valid++;
                i += need + 1;
            }
            else
            {
                invalid++;
                i++;
            }
        }

        return (valid, invalid);
    }

    private static bool HasUtf16Or32Bom(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]);
}
