namespace Rag.Ingest.Bench;

/// <summary>Finds files of the shared data folder: <c>RAG_SHARED_DIR</c>, else a <c>shared</c> folder beside an ancestor of the working or program folder.</summary>
public static class SharedData
{
    public static string? Find(string relative)
    {
        string? env = Environment.GetEnvironmentVariable("RAG_SHARED_DIR");
        if (!string.IsNullOrEmpty(env) && File.Exists(Path.Combine(env, relative)))
        {
            return Path.GetFullPath(Path.Combine(env, relative));
        }

        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
