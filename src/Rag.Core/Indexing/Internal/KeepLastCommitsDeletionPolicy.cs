using Lucene.Net.Index;

namespace Rag.Core.Indexing.Internal;

/// <summary>
/// Keeps the newest <c>keep</c> commits. Lucene's default keeps only the last one; keeping a few lets
/// crash recovery reopen the commit that matches the other index's generation.
/// </summary>
internal sealed class KeepLastCommitsDeletionPolicy(int keep) : IndexDeletionPolicy
{
    public override void OnInit<T>(IList<T> commits) => OnCommit(commits);

    public override void OnCommit<T>(IList<T> commits)
    {
        // Commits arrive oldest first.
        for (int i = 0; i < commits.Count - keep; i++)
        {
            commits[i].Delete();
        }
    }
}
