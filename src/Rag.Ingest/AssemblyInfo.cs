namespace Rag.Ingest;
