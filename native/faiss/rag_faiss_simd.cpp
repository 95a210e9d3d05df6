// SIMD distance kernels that replace FAISS's own at link time (-Wl,--allow-multiple-definition, this object first).
// Why: Debian's libfaiss.a targets baseline x86-64, so fvec_inner_product and fvec_L2sqr are scalar loops there, which
// made single-query Flat and HNSW search several times slower than managed TensorPrimitives. These use AVX2+FMA when
// the CPU has them (checked once at run time) and a portable loop otherwise; results match FAISS's up to float rounding.
#include <immintrin.h>

#include <cstddef>

namespace {

float ip_ref(const float* x, const float* y, size_t d) {
    float s = 0;
    for (size_t i = 0; i < d; i++) s += x[i] * y[i];
    return s;
}

float l2_ref(const float* x, const float* y, size_t d) {
    float s = 0;
    for (size_t i = 0; i < d; i++) {
        float t = x[i] - y[i];
        s += t * t;
    }
    return s;
}

__attribute__((target("avx2,fma"))) inline float hsum(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v);
    __m128 hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_hadd_ps(lo, lo);
    lo = _mm_hadd_ps(lo, lo);
    return _mm_cvtss_f32(lo);
}

__attribute__((target("avx2,fma"))) float ip_avx2(const float* x, const float* y, size_t d) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= d; i += 32) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(y + i + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(y + i + 24), a3);
    }
    for (; i + 8 <= d; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    float s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < d; i++) s += x[i] * y[i];
    return s;
}

__attribute__((target("avx2,fma"))) float l2_avx2(const float* x, const float* y, size_t d) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= d; i += 16) {
        __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        __m256 t1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8));
        a0 = _mm256_fmadd_ps(t0, t0, a0);
        a1 = _mm256_fmadd_ps(t1, t1, a1);
    }
    for (; i + 8 <= d; i += 8) {
        __m256 t = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        a0 = _mm256_fmadd_ps(t, t, a0);
    }
    float s = hsum(_mm256_add_ps(a0, a1));
    for (; i < d; i++) {
        float t = x[i] - y[i];
        s += t * t;
    }
    return s;
}

const bool has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

}  // namespace

namespace faiss {

float fvec_inner_product(const float* x, const float* y, size_t d) {
    return has_avx2 ? ip_avx2(x, y, d) : ip_ref(x, y, d);
}

float fvec_L2sqr(const float* x, const float* y, size_t d) {
    return has_avx2 ? l2_avx2(x, y, d) : l2_ref(x, y, d);
}

float fvec_norm_L2sqr(const float* x, size_t d) {
    return has_avx2 ? ip_avx2(x, x, d) : ip_ref(x, x, d);
}

}  // namespace faiss
