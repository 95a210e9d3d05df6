using Lucene.Net.Store;
using Rag.Core.Storage.Internal;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Rag.Core.Tests.Storage;

/// <summary>Thrown at the simulated moment of a power loss, and by every file operation after it.</summary>
internal sealed class PowerLossException(string message) : IOException(message);

/// <summary>
/// A fault-injecting file layer for the index store: it performs every operation on the real file system and keeps a
/// model of what a power loss would leave. A file's content becomes durable at its fsync; a folder's entries (creations,
/// renames, deletions) become durable at the fsync of that folder. At the chosen operation it "loses power": that
/// operation and all later ones throw <see cref="PowerLossException"/>, and <see cref="Materialize"/> writes what the
/// disk would hold afterwards into another folder.
/// </summary>
/// <remarks>
/// What survives: every durable entry; of the entry operations not yet made durable, a prefix in the order they happened
/// (journaling file systems persist metadata in order; <c>persistedPendingOperations</c> picks how many, 0 being the
/// harshest case); file content that was never synced survives as an empty file. Lucene's files go through the same
/// model via a wrapping Lucene <see cref="LuceneDirectory"/>; its own folder syncs are not counted (a harsher model).
/// </remarks>
internal sealed class PowerLossFileSystem : StoreFileSystem
{
    private readonly System.Threading.Lock _lock = new();
    private readonly string _root;
    private readonly Dictionary<string, Dictionary<string, long>> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, long>> _durable = new(StringComparer.Ordinal);
    private readonly Dictionary<long, byte[]> _synced = [];
    private readonly List<(string Dir, string Name, long? Inode)> _pending = [];
    private readonly HashSet<string> _folders = new(StringComparer.Ordinal);
    private long _nextInode = 1;

    /// <summary>Models everything under <paramref name="root"/> (which must not exist yet); loses power at operation <paramref name="crashAt"/>.</summary>
    public PowerLossFileSystem(string root, int crashAt)
    {
        _root = Path.GetFullPath(root);
        CrashAt = crashAt;
    }

    /// <summary>The operation that loses power (1-based); past the scenario's count, none does.</summary>
    public int CrashAt { get; }

    /// <summary>Operations performed so far.</summary>
    public int Operations { get; private set; }

    /// <summary>Whether the power was lost.</summary>
    public bool Crashed { get; private set; }

    /// <summary>How many not-yet-durable entry operations there were at the power loss.</summary>
    public int PendingAtCrash { get; private set; }

    public override void CreateDirectory(string path)
    {
        Step($"mkdir {path}");
        base.CreateDirectory(path);
        lock (_lock)
        {
            // The base implementation fsyncs the parent after mkdir: the folder is durable at once.
            for (string? p = Path.GetFullPath(path); p is not null && p.StartsWith(_root, StringComparison.Ordinal); p = Path.GetDirectoryName(p))
            {
                _folders.Add(p);
            }
        }
    }

    public override void BeginWrite(string path)
    {
        Step($"create {path}");
        lock (_lock)
        {
            Created(path);
        }
    }

    public override void FsyncFile(string path)
    {
        Step($"fsync {path}");
        base.FsyncFile(path);
        lock (_lock)
        {
            Synced(path);
        }
    }

    public override void Rename(string from, string to)
    {
        Step($"rename {from} -> {to}");
        base.Rename(from, to);
        lock (_lock)
        {
            var (dir, fromName) = Split(from);
            var (toDir, toName) = Split(to);
            if (dir != toDir)
            {
                throw new InvalidOperationException("the store renames within one folder only");
            }

            var live = Live(dir);
            long inode = live.Remove(fromName, out long i) ? i : _nextInode++;
            live[toName] = inode;
            _pending.Add((dir, fromName, null));
            _pending.Add((dir, toName, inode));
        }
    }

    public override void DeleteFile(string path)
    {
        Step($"delete {path}");
        base.DeleteFile(path);
        lock (_lock)
        {
            Deleted(path);
        }
    }

    public override void FsyncDirectory(string path)
    {
        Step($"fsync-dir {path}");
        base.FsyncDirectory(path);
        lock (_lock)
        {
            string dir = Path.GetFullPath(path);
            _durable[dir] = new Dictionary<string, long>(Live(dir), StringComparer.Ordinal);
            _pending.RemoveAll(p => p.Dir == dir);
        }
    }

    public override LuceneDirectory OpenLuceneDirectory(string path) => new ModelledLuceneDirectory(base.OpenLuceneDirectory(path), this, Path.GetFullPath(path));

    /// <summary>Writes the disk content a power loss would leave under <paramref name="target"/>.</summary>
    public void Materialize(string target, int persistedPendingOperations)
    {
        lock (_lock)
        {
            var namespaces = _durable.ToDictionary(p => p.Key, p => new Dictionary<string, long>(p.Value, StringComparer.Ordinal), StringComparer.Ordinal);
            foreach (var (dir, name, inode) in _pending.Take(persistedPendingOperations))
            {
                if (!namespaces.TryGetValue(dir, out var entries))
                {
                    namespaces[dir] = entries = new Dictionary<string, long>(StringComparer.Ordinal);
                }

                if (inode is long i)
                {
                    entries[name] = i;
                }
                else
                {
                    entries.Remove(name);
                }
            }

            foreach (string folder in _folders)
            {
                System.IO.Directory.CreateDirectory(Map(folder, target));
            }

            foreach (var (dir, entries) in namespaces)
            {
                if (!_folders.Contains(dir))
                {
                    continue; // its folder was never made durable
                }

                foreach (var (name, inode) in entries)
                {
                    File.WriteAllBytes(Path.Combine(Map(dir, target), name), _synced.GetValueOrDefault(inode) ?? []);
                }
            }
        }
    }

    private string Map(string path, string target) => Path.Combine(target, Path.GetRelativePath(_root, path));

    private void Step(string what)
    {
        lock (_lock)
        {
            if (Crashed)
            {
                throw new PowerLossException($"the power is off ({what})");
            }

            Operations++;
            if (Operations == CrashAt)
            {
                Crashed = true;
                PendingAtCrash = _pending.Count;
                throw new PowerLossException($"power lost at operation {Operations}: {what}");
            }
        }
    }

    private Dictionary<string, long> Live(string dir)
    {
        if (!_live.TryGetValue(dir, out var entries))
        {
            _live[dir] = entries = new Dictionary<string, long>(StringComparer.Ordinal);
        }

        return entries;
    }

    private static (string Dir, string Name) Split(string path)
    {
        string full = Path.GetFullPath(path);
        return (Path.GetDirectoryName(full)!, Path.GetFileName(full));
    }

    private void Created(string path)
    {
        var (dir, name) = Split(path);
        long inode = _nextInode++;
        Live(dir)[name] = inode;
        _pending.Add((dir, name, inode));
    }

    private void Synced(string path)
    {
        var (dir, name) = Split(path);
        var live = Live(dir);
        if (!live.TryGetValue(name, out long inode))
        {
            // Written by code that does not announce its files (native code, Lucene's directory internals).
            Created(path);
            inode = live[name];
        }

        _synced[inode] = File.ReadAllBytes(path);
    }

    private void Deleted(string path)
    {
        var (dir, name) = Split(path);
        Live(dir).Remove(name);
        _pending.Add((dir, name, null));
    }

    /// <summary>Lucene's view of the store's <c>lucene/</c> folder, reporting creations, syncs and deletions to the model.</summary>
    private sealed class ModelledLuceneDirectory(LuceneDirectory inner, PowerLossFileSystem model, string path) : FilterDirectory(inner)
    {
        public override IndexOutput CreateOutput(string name, IOContext context)
        {
            model.Step($"lucene create {name}");
            lock (model._lock)
            {
                model.Created(Path.Combine(path, name));
            }

            return base.CreateOutput(name, context);
        }

        public override void Sync(ICollection<string> names)
        {
            foreach (string name in names)
            {
                model.Step($"lucene fsync {name}");
                base.Sync([name]);
                lock (model._lock)
                {
                    model.Synced(Path.Combine(path, name));
                }
            }
        }

        public override void DeleteFile(string name)
        {
            model.Step($"lucene delete {name}");
            base.DeleteFile(name);
            lock (model._lock)
            {
                model.Deleted(Path.Combine(path, name));
            }
        }
    }
}
