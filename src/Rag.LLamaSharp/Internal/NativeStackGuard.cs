using LLama.Native;

namespace Rag.LLamaSharp.Internal;

/// <summary>
/// Refuses to let LLamaSharp load its native library into a process where another llama.cpp build is already mapped.
/// LLamaSharp's loader reports whether it has loaded yet, so any libllama/libggml mapped before that belongs to
/// someone else (Rag.Model's libllama.v0.5.0.so, typically).
/// </summary>
internal static class NativeStackGuard
{
    private const string Fix =
        "Fix: use one backend per process: Rag.Model (builder.AddLlamaChat() and friends) or LLamaSharp through " +
        "Rag.LLamaSharp (builder.AddLLamaSharp()), not both; run the other one in a separate process if you need both.";

    /// <summary>Throws <see cref="NativeStackConflictException"/> when a foreign llama.cpp is loaded and LLamaSharp's is not.</summary>
    public static void ThrowIfAnotherStackIsLoaded()
    {
        if (NativeLibraryConfig.LLama.LibraryHasLoaded)
        {
            return;
        }

        var foreign = MappedLlamaFiles().FirstOrDefault();
        if (foreign is not null)
        {
            throw new NativeStackConflictException(
                $"LLamaSharp cannot load: another llama.cpp build is already loaded in this process ({foreign}; Rag.Model's, " +
                $"if the name is libllama.v0.5.0.so or libggml*). Both ship libggml-base.so, and mixing them kills the process. {Fix}");
        }
    }

    /// <summary>Throws when Rag.Model registrations are already in the service collection.</summary>
    public static void ThrowIfRagModelIsRegistered(IEnumerable<Type?> registeredTypes)
    {
        var ragModel = registeredTypes.FirstOrDefault(t => t?.Assembly.GetName().Name == "Rag.Model");
        if (ragModel is not null)
        {
            throw new NativeStackConflictException(
                $"AddLLamaSharp: Rag.Model is already registered in this service collection ({ragModel.FullName}). Rag.Model " +
                $"and LLamaSharp each bring their own llama.cpp native libraries, which cannot share one process. {Fix}");
        }
    }

    private static IEnumerable<string> MappedLlamaFiles()
    {
        if (!File.Exists("/proc/self/maps"))
        {
            yield break;
        }

        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var idx = line.IndexOf('/', StringComparison.Ordinal);
            if (idx >= 0 && Path.GetFileName(line.AsSpan(idx)) is var name
                && (name.StartsWith("libggml", StringComparison.Ordinal) || name.StartsWith("libllama", StringComparison.Ordinal)))
            {
                yield return line[idx..];
            }
        }
    }
}
