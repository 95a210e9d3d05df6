namespace Rag.Model;
