// rag_faiss: a small extern "C" shim over the FAISS C++ library (Debian libfaiss-dev 1.7.3, static).
// Every entry point returns 0 on success and a negative code on failure; the message of the last
// failure on the calling thread is available from rag_faiss_last_error(). No C++ exception ever
// crosses this boundary, because unwinding into the .NET runtime would abort the process.
#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPQ.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <faiss/utils/distances.h>
#include <omp.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <string>

namespace {

thread_local std::string g_last_error;

constexpr int RAG_OK = 0;
constexpr int RAG_ERR_ARG = -1;
constexpr int RAG_ERR_FAISS = -2;
constexpr int RAG_ERR_STD = -3;
constexpr int RAG_ERR_UNKNOWN = -4;
constexpr int RAG_ERR_UNSUPPORTED = -5;

template <typename F>
int guarded(F&& f) {
    try {
        g_last_error.clear();
        return f();
    } catch (const faiss::FaissException& e) {
        g_last_error = e.what();
        return RAG_ERR_FAISS;
    } catch (const std::exception& e) {
        g_last_error = e.what();
        return RAG_ERR_STD;
    } catch (...) {
        g_last_error = "unknown C++ exception";
        return RAG_ERR_UNKNOWN;
    }
}

int arg_error(const char* message) {
    g_last_error = message;
    return RAG_ERR_ARG;
}

// Strips the wrappers that do not own search parameters, to reach the HNSW or IVF index below.
faiss::Index* unwrap(faiss::Index* index) {
    for (;;) {
        if (auto* idmap = dynamic_cast<faiss::IndexIDMap*>(index)) {
            index = idmap->index;
        } else if (auto* idmap2 = dynamic_cast<faiss::IndexIDMap2*>(index)) {
            index = idmap2->index;
        } else if (auto* pre = dynamic_cast<faiss::IndexPreTransform*>(index)) {
            index = pre->index;
        } else {
            return index;
        }
    }
}

// Batched exact search goes through BLAS sgemm from 20 queries up. With our AVX2 kernels the per-query path, parallel
// over queries, is faster here than FAISS's blocked sgemm + heap merge on OpenBLAS (measured: docs/BENCHMARKS-retrieval.md),
// so the threshold is raised once when the library loads; rag_faiss_set_blas_threshold changes it back.
struct BlasThresholdInit {
    BlasThresholdInit() { faiss::distance_compute_blas_threshold = 1 << 30; }
} g_blas_threshold_init;

// OpenMP's thread count is per calling thread, so it is set on every call that can go parallel.
void set_threads(int threads) {
    if (threads > 0) {
        omp_set_num_threads(threads);
    }
}

}  // namespace

#define RAG_API __attribute__((visibility("default")))

extern "C" {

RAG_API const char* rag_faiss_last_error() { return g_last_error.c_str(); }

RAG_API int rag_faiss_version() { return FAISS_VERSION_MAJOR * 10000 + FAISS_VERSION_MINOR * 100 + FAISS_VERSION_PATCH; }

// metric: 0 = inner product, 1 = L2. The index is wrapped in an IndexIDMap2 unless the description already maps ids.
RAG_API int rag_faiss_create(int dimension, const char* description, int metric, void** out) {
    return guarded([&] {
        if (out == nullptr || description == nullptr || dimension <= 0) return arg_error("invalid arguments to rag_faiss_create");
        *out = nullptr;
        faiss::MetricType m = metric == 1 ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT;
        faiss::Index* index = faiss::index_factory(dimension, description, m);
        // index_factory turns on polysemous training for 8-bit PQ. It only serves Hamming-filtered search, which we never
        // use, and its simulated annealing (with a software popcount in Debian's build) takes minutes even on 4,000 vectors.
        faiss::Index* inner = unwrap(index);
        if (auto* ivfpq = dynamic_cast<faiss::IndexIVFPQ*>(inner)) ivfpq->do_polysemous_training = false;
        if (auto* pq = dynamic_cast<faiss::IndexPQ*>(inner)) pq->do_polysemous_training = false;
        if (dynamic_cast<faiss::IndexIDMap*>(index) == nullptr && dynamic_cast<faiss::IndexIDMap2*>(index) == nullptr) {
            auto* wrapped = new faiss::IndexIDMap2(index);
            wrapped->own_fields = true;
            index = wrapped;
        }
        *out = index;
        return RAG_OK;
    });
}

RAG_API void rag_faiss_free(void* index) {
    try {
        delete static_cast<faiss::Index*>(index);
    } catch (...) {
    }
}

RAG_API int rag_faiss_dimension(void* index, int* out) {
    return guarded([&] {
        if (index == nullptr || out == nullptr) return arg_error("null argument");
        *out = static_cast<faiss::Index*>(index)->d;
        return RAG_OK;
    });
}

RAG_API int rag_faiss_ntotal(void* index, int64_t* out) {
    return guarded([&] {
        if (index == nullptr || out == nullptr) return arg_error("null argument");
        *out = static_cast<faiss::Index*>(index)->ntotal;
        return RAG_OK;
    });
}

RAG_API int rag_faiss_is_trained(void* index, int* out) {
    return guarded([&] {
        if (index == nullptr || out == nullptr) return arg_error("null argument");
        *out = static_cast<faiss::Index*>(index)->is_trained ? 1 : 0;
        return RAG_OK;
    });
}

RAG_API int rag_faiss_train(void* index, int64_t n, const float* x, int threads) {
    return guarded([&] {
        if (index == nullptr || (n > 0 && x == nullptr) || n < 0) return arg_error("invalid arguments to rag_faiss_train");
        set_threads(threads);
        static_cast<faiss::Index*>(index)->train(n, x);
        return RAG_OK;
    });
}

RAG_API int rag_faiss_add_with_ids(void* index, int64_t n, const float* x, const int64_t* ids, int threads) {
    return guarded([&] {
        if (index == nullptr || n < 0 || (n > 0 && (x == nullptr || ids == nullptr))) return arg_error("invalid arguments to rag_faiss_add_with_ids");
        auto* idx = static_cast<faiss::Index*>(index);
        if (!idx->is_trained) return arg_error("the index must be trained before vectors are added (IVF and PQ indexes need Train)");
        set_threads(threads);
        static_assert(sizeof(faiss::Index::idx_t) == sizeof(int64_t), "idx_t is 64-bit");
        idx->add_with_ids(n, x, reinterpret_cast<const faiss::Index::idx_t*>(ids));
        return RAG_OK;
    });
}

RAG_API int rag_faiss_search(void* index, int64_t n, const float* x, int64_t k, float* distances, int64_t* labels, int threads) {
    return guarded([&] {
        if (index == nullptr || n < 0 || k <= 0 || (n > 0 && (x == nullptr || distances == nullptr || labels == nullptr)))
            return arg_error("invalid arguments to rag_faiss_search");
        set_threads(threads);
        static_cast<faiss::Index*>(index)->search(n, x, k, distances, reinterpret_cast<faiss::Index::idx_t*>(labels));
        return RAG_OK;
    });
}

// Returns RAG_ERR_UNSUPPORTED (and leaves the index unchanged) for index types without removal, such as HNSW.
RAG_API int rag_faiss_remove_ids(void* index, const int64_t* ids, int64_t n, int64_t* removed) {
    return guarded([&] {
        if (index == nullptr || removed == nullptr || n < 0 || (n > 0 && ids == nullptr)) return arg_error("invalid arguments to rag_faiss_remove_ids");
        *removed = 0;
        auto* idx = static_cast<faiss::Index*>(index);
        if (dynamic_cast<faiss::IndexHNSW*>(unwrap(idx)) != nullptr) {
            g_last_error = "HNSW indexes do not support removal";
            return RAG_ERR_UNSUPPORTED;
        }
        faiss::IDSelectorBatch selector(static_cast<size_t>(n), reinterpret_cast<const faiss::Index::idx_t*>(ids));
        *removed = static_cast<int64_t>(idx->remove_ids(selector));
        return RAG_OK;
    });
}

// name: "efSearch" (HNSW), "efConstruction" (HNSW, before adding), "nprobe" (IVF); anything else goes to ParameterSpace.
RAG_API int rag_faiss_set_parameter(void* index, const char* name, double value) {
    return guarded([&] {
        if (index == nullptr || name == nullptr) return arg_error("null argument");
        auto* inner = unwrap(static_cast<faiss::Index*>(index));
        std::string key(name);
        if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(inner)) {
            if (key == "efSearch") { hnsw->hnsw.efSearch = static_cast<int>(value); return RAG_OK; }
            if (key == "efConstruction") { hnsw->hnsw.efConstruction = static_cast<int>(value); return RAG_OK; }
        }
        if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(inner)) {
            if (key == "nprobe") { ivf->nprobe = static_cast<size_t>(value); return RAG_OK; }
        }
        faiss::ParameterSpace().set_index_parameter(static_cast<faiss::Index*>(index), key, value);
        return RAG_OK;
    });
}

RAG_API int rag_faiss_get_parameter(void* index, const char* name, double* out) {
    return guarded([&] {
        if (index == nullptr || name == nullptr || out == nullptr) return arg_error("null argument");
        auto* inner = unwrap(static_cast<faiss::Index*>(index));
        std::string key(name);
        if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(inner)) {
            if (key == "efSearch") { *out = hnsw->hnsw.efSearch; return RAG_OK; }
            if (key == "efConstruction") { *out = hnsw->hnsw.efConstruction; return RAG_OK; }
        }
        if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(inner)) {
            if (key == "nprobe") { *out = static_cast<double>(ivf->nprobe); return RAG_OK; }
        }
        g_last_error = "unknown parameter '" + key + "' for this index type";
        return RAG_ERR_ARG;
    });
}

RAG_API int rag_faiss_write(void* index, const char* path) {
    return guarded([&] {
        if (index == nullptr || path == nullptr) return arg_error("null argument");
        faiss::write_index(static_cast<faiss::Index*>(index), path);
        return RAG_OK;
    });
}

RAG_API int rag_faiss_read(const char* path, void** out) {
    return guarded([&] {
        if (path == nullptr || out == nullptr) return arg_error("null argument");
        *out = nullptr;
        *out = faiss::read_index(path);
        return RAG_OK;
    });
}

RAG_API void rag_faiss_set_blas_threshold(int threshold) { faiss::distance_compute_blas_threshold = threshold; }

RAG_API int rag_faiss_omp_max_threads() { return omp_get_max_threads(); }

}  // extern "C"
