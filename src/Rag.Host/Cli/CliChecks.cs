namespace Rag.Host.Cli;

/// <summary>Checks of user-supplied files made before any work starts, so a bad input fails with one line and no output.</summary>
internal static class CliChecks
{
    /// <summary>Throws <see cref="CliUsageException"/> unless <paramref name="path"/> is a readable file that starts with the GGUF magic.</summary>
    public static void GgufFile(string? path, string setting)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CliUsageException($"no model is configured ({setting})", $"set {setting} or pass --model PATH");
        }

        if (!File.Exists(path))
        {
            throw new CliUsageException($"model file not found: {path}", $"check {setting} or --model");
        }

        Span<byte> magic = stackalloc byte[4];
        using (var stream = File.OpenRead(path))
        {
            if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || !magic.SequenceEqual("GGUF"u8))
            {
                throw new CliUsageException($"{path} is not a GGUF model file", "pass a .gguf model (see ./models or ../shared/models)");
            }
        }

        try
        {
            _ = Rag.Model.Gguf.GgufModelInfo.FromFile(path);
        }
        catch (Exception ex) when (ex is Rag.Model.Gguf.GgufFormatException or EndOfStreamException or InvalidDataException)
        {
            throw new CliUsageException($"{path} is not a readable GGUF model: {ex.Message}", "pass a complete .gguf model file", ex);
        }
    }
}
