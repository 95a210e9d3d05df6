
namespace Rag.Host.Cli;

/// <summary>Parsed arguments of <c>rag ingest</c>.</summary>
internal sealed record IngestCommandArgs
{
    /// <summary>Files and folders to ingest.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Document ids to delete (<c>--delete ID</c>, repeatable); done before ingesting <see cref="Paths"/>.</summary>
    public IReadOnlyList<string> Delete { get; init; } = [];

    /// <summary>Index store folder (<c>--index DIR</c>); null for the options' default.</summary>
    public string? IndexDirectory { get; init; }

    /// <summary>Chunk size in tokens (<c>--max-tokens N</c>); null for the default.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Chunk overlap in tokens (<c>--overlap N</c>); null for the default.</summary>
    public int? OverlapTokens { get; init; }

    /// <summary>Documents per commit (<c>--commit-every N</c>); null for the default.</summary>
    public int? CommitEvery { get; init; }

    /// <summary>Index keywords only, without vectors (<c>--no-vectors</c>).</summary>
    public bool NoVectors { get; init; }

    /// <summary>Keep indexed documents whose files are gone from the given folders (<c>--keep-missing</c>); by default they are removed.</summary>
    public bool KeepMissing { get; init; }

    /// <summary>The folder document ids are relative to (<c>--root DIR</c>); null for the index's recorded root, else the inputs' common base.</summary>
    public string? Root { get; init; }

    /// <summary>Rebuild the index from these inputs with the current settings (<c>--reindex</c>).</summary>
    public bool Reindex { get; init; }

    /// <summary>Seconds to wait for another writer's lock on the index (<c>--lock-timeout S</c>); null for the store's default.</summary>
    public int? LockTimeoutSeconds { get; init; }

    /// <summary>
    /// Parses <c>PATH... [--index DIR] [--delete ID]... [--max-tokens N] [--overlap N] [--commit-every N] [--no-vectors] [--keep-missing] [--root DIR] [--reindex] [--lock-timeout S]</c>.
    /// Returns null and sets <paramref name="error"/> on a usage error.
    /// </summary>
    public static IngestCommandArgs? Parse(IReadOnlyList<string> args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        error = null;
        var paths = new List<string>();
        var delete = new List<string>();
        var result = new IngestCommandArgs();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string? Value()
            {
                if (i + 1 >= args.Count)
                {
                    return null;
                }

                return args[++i];
            }

            int? Number(out string? err)
            {
                string? v = Value();
                err = null;
                if (v is null || !int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < 0)
                {
                    err = $"{a} needs a non-negative whole number.";
                    return null;
                }

                return n;
            }

            switch (a)
            {
                case "--index":
                    result = result with { IndexDirectory = Value() ?? string.Empty };
                    if (result.IndexDirectory!.Length == 0)
                    {
                        error = "--index needs a folder.";
                        return null;
                    }

                    break;
                case "--delete":
                    string? id = Value();
                    if (string.IsNullOrEmpty(id))
                    {
                        error = "--delete needs a document id.";
                        return null;
                    }

                    delete.Add(id);
                    break;
                case "--max-tokens":
                    result = result with { MaxTokens = Number(out error) };
                    break;
                case "--overlap":
                    result = result with { OverlapTokens = Number(out error) };
                    break;
                case "--commit-every":
                    result = result with { CommitEvery = Number(out error) };
                    break;
                case "--no-vectors":
                    result = result with { NoVectors = true };
                    break;
                case "--keep-missing":
                    result = result with { KeepMissing = true };
                    break;
                case "--reindex":
                    result = result with { Reindex = true };
                    break;
                case "--lock-timeout":
                    result = result with { LockTimeoutSeconds = Number(out error) };
                    break;
                case "--root":
                    result = result with { Root = Value() ?? string.Empty };
                    if (result.Root!.Length == 0)
                    {
                        error = "--root needs a folder.";
                        return null;
                    }

                    break;
                default:
                    if (a.StartsWith("--", StringComparison.Ordinal))
                    {
                        error = $"Unknown option '{a}'.";
                        return null;
                    }

                    paths.Add(a);
                    break;
            }

            if (error is not null)
            {
                return null;
            }
        }

        if (paths.Count == 0 && delete.Count == 0)
        {
            error = "Give at least one file or folder to ingest (or --delete ID).";
            return null;
        }

        return result with { Paths = paths, Delete = delete };
    }
}
