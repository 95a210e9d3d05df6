// Peer for `bench serve`: the same work as llama-batched-bench (-npp, -ntg, -npl, is_pp_shared = 0, split KV), timed
// with both wall clock and process CPU time, so that runs on a machine shared with other jobs can still be compared.
// Usage: batched_cpu MODEL THREADS NPP NTG NPL [NPL...]   (n_ctx 4096, n_batch 2048, n_ubatch 512 like our runs)
#include "llama.h"
#include "ggml-backend.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static void quiet(enum ggml_log_level level, const char * text, void * ud) { (void)level; (void)text; (void)ud; }

int main(int argc, char ** argv) {
    if (argc < 6) { fprintf(stderr, "usage: %s MODEL THREADS NPP NTG NPL...\n", argv[0]); return 2; }
    const char * path = argv[1];
    int threads = atoi(argv[2]), npp = atoi(argv[3]), ntg = atoi(argv[4]);
    llama_log_set(quiet, NULL);
    ggml_backend_load_all_from_path(getenv("LLAMA_NATIVE_DIR") ? getenv("LLAMA_NATIVE_DIR") : ".");
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    struct llama_model * model = llama_model_load_from_file(path, mp);
    if (!model) { fprintf(stderr, "cannot load %s\n", path); return 1; }
    int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    for (int a = 5; a < argc; a++) {
        int npl = atoi(argv[a]);
        struct llama_context_params cp = llama_context_default_params();
        cp.n_ctx = 4096; cp.n_batch = 2048; cp.n_ubatch = 512; cp.n_seq_max = npl;
        cp.n_threads = threads; cp.n_threads_batch = threads; cp.no_perf = 1;
        struct llama_context * ctx = llama_init_from_model(model, cp);
        llama_batch batch = llama_batch_init(2048, 0, 1);
        srand(1234);
        // warm-up: a short decode, as llama-batched-bench does
        batch.n_tokens = 0;
        for (int i = 0; i < 16; i++) { batch.token[i] = rand() % n_vocab; batch.pos[i] = i; batch.n_seq_id[i] = 1; batch.seq_id[i][0] = 0; batch.logits[i] = i == 15; }
        batch.n_tokens = 16; llama_decode(ctx, batch); llama_synchronize(ctx);
        llama_memory_clear(llama_get_memory(ctx), 1);

        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        batch.n_tokens = 0;
        for (int j = 0; j < npl; j++) for (int i = 0; i < npp; i++) {
            int k = batch.n_tokens++;
            batch.token[k] = rand() % n_vocab; batch.pos[k] = i; batch.n_seq_id[k] = 1; batch.seq_id[k][0] = j; batch.logits[k] = i == npp - 1;
        }
        if (llama_decode(ctx, batch)) { fprintf(stderr, "prefill failed\n"); return 1; }
        llama_synchronize(ctx);
        double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (int i = 0; i < ntg; i++) {
            batch.n_tokens = 0;
            for (int j = 0; j < npl; j++) {
                int k = batch.n_tokens++;
                batch.token[k] = rand() % n_vocab; batch.pos[k] = npp + i; batch.n_seq_id[k] = 1; batch.seq_id[k][0] = j; batch.logits[k] = 1;
            }
            if (llama_decode(ctx, batch)) { fprintf(stderr, "decode failed\n"); return 1; }
            llama_synchronize(ctx);
        }
        double w2 = now(CLOCK_MONOTONIC), c2 = now(CLOCK_PROCESS_CPUTIME_ID);
        printf("npl: %d  pp wall %.3f s  tg wall %.3f s  tg tokens/s %.1f  tg cpu %.3f s  tg tokens/cpu-s %.1f\n",
               npl, w1 - w0, w2 - w1, npl * ntg / (w2 - w1), c2 - c1, npl * ntg / (c2 - c1));
        fflush(stdout);
        llama_batch_free(batch);
        llama_free(ctx);
    }
    llama_model_free(model);
    return 0;
}
