// The memory model: evaluator arithmetic on a hand-written profile, profile errors, and the
// properties the built-in AlphaFold 3 profile must have whatever its calibration.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "foldfit/common/error.hpp"
#include "foldfit/model/memory_model.hpp"

namespace foldfit {
namespace {

const std::vector<std::int64_t> kBuckets = {128, 256, 384, 512, 768, 1024, 1280, 1536,
                                            2048, 2560, 3072, 3584, 4096, 4608, 5120};

const char* kTiny = R"json({
  "profile": "tiny", "profile_version": 3, "af3_release": "test", "origin": "hand-written",
  "dimensions": {"c": {"value": 2, "source": "test"}},
  "fixed": {"atoms_per_token": {"value": 24, "source": "test"}, "atom_queries": {"value": 32, "source": "test"},
            "w": {"value": 1000, "source": "test"}},
  "knobs": {
    "flash_attention": {"default": "triton", "choices": ["triton", "xla"], "source": "test"},
    "num_diffusion_samples": {"default": 2, "source": "test"},
    "pair_transition_shard_spec": {"default": "((2048, None), (None, 1024))", "source": "test"},
    "pair_attention_chunk_size": {"default": "((1536, 128), (None, 32))", "source": "test"},
    "save_embeddings": {"default": false, "source": "test"},
    "save_distogram": {"default": false, "source": "test"},
    "glu_implementation": {"default": "fused", "choices": ["fused", "xla"], "source": "test"}
  },
  "categories": ["Model parameters", "Embeddings", "Attention", "Overhead"],
  "uncertainty": {"uncalibrated_low": 0.1, "uncalibrated_high": 0.2, "calibrated_floor": 0.02, "why": "test"},
  "persistent": [
    {"name": "weights", "shape": "[w]", "dtype": "bytes", "category": "Model parameters", "source": "test"},
    {"name": "pair", "shape": "[N, N, c]", "dtype": "f32", "category": "Embeddings", "source": "test"}
  ],
  "pool_overheads": [{"name": "rounding", "fraction_of_pool": 0.5, "status": "test", "source": "test"}],
  "overheads": [{"name": "context", "bytes": 7, "status": "test", "source": "test"}],
  "phases": [
    {"name": "a", "title": "A", "category": "Attention", "source": "test", "tensors": [
      {"name": "logits", "shape": "[S, N, N]", "dtype": "bf16", "source": "test"},
      {"name": "xla only", "shape": "[chunk, N]", "dtype": "f32", "when": "flash == 'xla'", "source": "test"}]},
    {"name": "b", "title": "B", "category": "Embeddings", "extends": "a", "source": "test", "tensors": [
      {"name": "atoms", "shape": "[A]", "dtype": "i8", "source": "test"},
      {"name": "pre-activation", "shape": "[N, 2*c]", "dtype": "f32", "when": "glu_implementation == 'xla'", "source": "test"}]}
  ]
})json";

MemoryModel tiny() { return MemoryModel::from_text(kTiny, "tiny.json"); }

Bytes phase_total(const MemoryEstimate& e, const std::string& name) {
  for (const auto& p : e.phases)
    if (p.name == name) return p.total;
  ADD_FAILURE() << "no phase " << name;
  return Bytes();
}

// N = 10, S = 2: persistent 1000 + 10*10*2*4 = 1800; phase a = 2*10*10*2 = 400;
// phase b = a + A bytes, A = ceil(24*10/32)*32 = 256 -> 656; pool = (1800 + 656) * 1.5.
TEST(MemoryModelTiny, ExactBytes) {
  MemoryModel m = tiny();
  ModelConfig c = m.default_config(10);
  EXPECT_EQ(c.num_diffusion_samples, 2);
  MemoryEstimate e = m.estimate(c, Calibration());
  EXPECT_EQ(e.persistent, Bytes(1800));
  EXPECT_EQ(phase_total(e, "a"), Bytes(2200));
  EXPECT_EQ(phase_total(e, "b"), Bytes(2456));
  EXPECT_EQ(e.peak_phase, "b");
  EXPECT_EQ(e.pool_overhead, Bytes(1228));
  EXPECT_EQ(e.pool, Bytes(3684));
  EXPECT_EQ(e.overhead, Bytes(7));
  EXPECT_EQ(e.total, Bytes(3691));
  EXPECT_EQ(e.low, Bytes(3321));   // 3691 * 0.9, truncated
  EXPECT_EQ(e.high, Bytes(4429));  // 3691 * 1.2, truncated
  EXPECT_EQ(e.categories.at("Model parameters"), Bytes(1000));
  EXPECT_EQ(e.categories.at("Embeddings"), Bytes(800 + 256));
  EXPECT_EQ(e.categories.at("Attention"), Bytes(400));
  EXPECT_EQ(e.categories.at("Overhead"), Bytes(1235));
  EXPECT_EQ(e.profile_id, "tiny (profile 3)");
  EXPECT_EQ(e.calibration_id, "uncalibrated");

  // xla: chunk = min(128, N) = 10 rows -> [10, 10] f32 = 400 more in both phases.
  c.flash_attention = "xla";
  e = m.estimate(c, Calibration());
  EXPECT_EQ(phase_total(e, "b"), Bytes(2856));
  EXPECT_EQ(e.pool, Bytes(2856 + 1428));

  // The XLA gated linear unit: [N, 2c] f32 = 160 more in phase b only.
  c.glu_implementation = "xla";
  e = m.estimate(c, Calibration());
  EXPECT_EQ(phase_total(e, "a"), Bytes(2600));
  EXPECT_EQ(phase_total(e, "b"), Bytes(3016));
}

std::string profile_error(const std::string& from, const std::string& to) {
  std::string text = kTiny;
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  try {
    MemoryModel::from_text(text, "tiny.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(MemoryModelTiny, ProfileErrorsNameFileAndPath) {
  EXPECT_EQ(profile_error(R"("[A]")", R"("[Q]")"),
            "tiny.json: phases[1].tensors[0].shape: unknown symbol 'Q' (define it under dimensions or fixed)");
  EXPECT_EQ(profile_error(R"("dtype": "i8")", R"("dtype": "f64")"),
            "tiny.json: phases[1].tensors[0].dtype: unknown dtype 'f64' (known: bf16, bool, bytes, f16, f32, i32, i8)");
  EXPECT_EQ(profile_error(R"("when": "flash == 'xla'")", R"("when": "flash")"),
            "tiny.json: phases[0].tensors[1].when: expected a condition, got a string");
  EXPECT_EQ(profile_error(R"("shape": "[S, N, N]")", R"("shape": "[S, N,")"),
            "tiny.json: phases[0].tensors[0].shape: in '[S, N,': unexpected end");
  EXPECT_EQ(profile_error(R"("extends": "a")", R"("extends": "z")"),
            "tiny.json: phases[1].extends: unknown phase 'z' (it must come earlier)");
  EXPECT_EQ(profile_error(R"("category": "Model parameters")", R"("category": "Weights")"),
            "tiny.json: persistent[0].category: unknown category 'Weights'");
  EXPECT_EQ(profile_error(R"("when")", R"("if")"), "tiny.json: phases[0].tensors[1].if: unknown key 'if'");
  EXPECT_EQ(profile_error(R"("profile_version": 3)", R"("profile_version": "3")"),
            "tiny.json: profile_version: expected an integer");
  EXPECT_EQ(profile_error(R"("default": "fused")", R"("default": "pallas")"),
            "tiny.json: knobs.glu_implementation.default: 'pallas' is not one of the choices");
  EXPECT_EQ(profile_error(R"(, "source": "test"}]},
    {"name": "b")", R"(}]},
    {"name": "b")"),
            "tiny.json: phases[0].tensors[1]: missing 'source'");
  try {
    MemoryModel::from_text("{\n  \"profile\": ,\n}", "bad.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.location().file, "bad.json");
    EXPECT_EQ(e.location().line, 2u);
    EXPECT_EQ(std::string(e.what()).rfind("bad.json:2:14: invalid JSON: ", 0), 0u) << e.what();
  }
  EXPECT_THROW(MemoryModel::from_file("/nonexistent/profile.json"), InputError);
}

TEST(MemoryModelTiny, ImpossibleConfigIsAUsageError) {
  MemoryModel m = tiny();
  ModelConfig c = m.default_config(0);
  EXPECT_THROW(m.estimate(c, Calibration()), UsageError);
  c = m.default_config(10);
  c.flash_attention = "cudnn";  // not a choice of this profile
  EXPECT_THROW(m.estimate(c, Calibration()), UsageError);
  c = m.default_config(10);
  c.num_diffusion_samples = 0;
  EXPECT_THROW(m.estimate(c, Calibration()), UsageError);
  c = m.default_config(10);
  c.glu_implementation = "pallas";
  try {
    m.estimate(c, Calibration());
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "unknown gated linear unit implementation 'pallas' (fused, xla)");
  }
}

// ---- The built-in AlphaFold 3 v3.0.4 profile -------------------------------------------

const MemoryModel& af3() { return MemoryModel::builtin(); }

MemoryEstimate estimate(std::int64_t n, const std::string& flash = "triton", int samples = 5,
                        const std::function<void(ModelConfig&)>& edit = {}) {
  ModelConfig c = af3().default_config(n);
  c.flash_attention = flash;
  c.num_diffusion_samples = samples;
  if (edit) edit(c);
  return af3().estimate(c, Calibration());
}

// Phases whose totals differ between two estimates.
std::set<std::string> changed(const MemoryEstimate& a, const MemoryEstimate& b) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < a.phases.size(); ++i)
    if (a.phases[i].total != b.phases[i].total) out.insert(a.phases[i].name);
  return out;
}

TEST(MemoryModelAf3, ProfileDefaultsAreAf3s) {
  EXPECT_EQ(af3().id(), "alphafold3-v3.0.4");
  EXPECT_EQ(af3().display_id(), "alphafold3-v3.0.4 (profile 2)");
  ModelConfig c = af3().default_config(1024);
  EXPECT_EQ(c.flash_attention, "triton");
  EXPECT_EQ(c.num_diffusion_samples, 5);
  EXPECT_EQ(c.pair_transition_shard_spec, default_pair_transition_shard_spec());
  EXPECT_EQ(c.pair_attention_chunk_size, default_pair_attention_chunk_size());
  EXPECT_EQ(c.glu_implementation, "fused");
}

TEST(MemoryModelAf3, MonotoneInTokensOverEveryBucket) {
  for (const char* flash : {"triton", "cudnn", "xla"})
    for (int s : {1, 5, 10}) {
      // A fixed chunk size, so that only N changes from one bucket to the next.
      auto fixed_chunk = [](ModelConfig& c) { c.pair_attention_chunk_size = SizeSpec::parse("((None, 64),)"); };
      MemoryEstimate prev = estimate(kBuckets.front(), flash, s, fixed_chunk);
      for (std::size_t i = 1; i < kBuckets.size(); ++i) {
        MemoryEstimate e = estimate(kBuckets[i], flash, s, fixed_chunk);
        EXPECT_GT(e.total, prev.total) << flash << " S=" << s << " N=" << kBuckets[i];
        EXPECT_GT(e.pool, prev.pool) << flash << " S=" << s << " N=" << kBuckets[i];
        prev = e;
      }
    }
  // With AlphaFold 3's own chunk spec too: under xla the chunk drops from 128 to 32 rows
  // above 1536 tokens, but the conditioning's 2,136 N^2 f32 outgrows the grid attention.
  for (const char* flash : {"triton", "cudnn", "xla"})
    for (std::size_t i = 1; i < kBuckets.size(); ++i)
      EXPECT_GT(estimate(kBuckets[i], flash).total, estimate(kBuckets[i - 1], flash).total) << flash << kBuckets[i];
}

TEST(MemoryModelAf3, AttentionAndSampleOrdering) {
  for (std::int64_t n : kBuckets) {
    EXPECT_GE(estimate(n, "xla").total, estimate(n, "triton").total) << n;
    EXPECT_GE(estimate(n, "cudnn").total, estimate(n, "triton").total) << n;
    EXPECT_GE(estimate(n, "triton", 10).total, estimate(n, "triton", 5).total) << n;
    EXPECT_GE(estimate(n, "triton", 5).total, estimate(n, "triton", 1).total) << n;
  }
  // Where the grid attention is chunked by 128 rows, xla's [c,4,N,N] f32 logits dominate.
  EXPECT_EQ(estimate(1024, "xla").peak_phase, "pair_attention");
  EXPECT_GT(estimate(1024, "xla").total, estimate(1024, "triton").total);
}

// Where XLA's compiles (data/xla/alphafold3-v3.0.4.csv) put the peak: the atom
// cross-attention at 256 and 512 tokens, the conditioning's concatenation and LayerNorm
// from 1024 on.
TEST(MemoryModelAf3, PeakPhaseFollowsXlasCompiles) {
  EXPECT_EQ(estimate(256).peak_phase, "atom_cross_attention");
  EXPECT_EQ(estimate(1024).peak_phase, "diffusion_conditioning_projection");
  EXPECT_EQ(estimate(5120).peak_phase, "diffusion_conditioning_projection");
  // Ten samples: the [S,16,N,N] f32 logits and weights overtake the conditioning.
  EXPECT_EQ(estimate(5120, "triton", 8).peak_phase, "diffusion_conditioning_projection");
  EXPECT_EQ(estimate(5120, "triton", 10).peak_phase, "diffusion_transformer");
}

// tokamax's XLA gated linear unit adds the [.., 2C] pre-activation in every phase with a
// GLU; in the conditioning's transition that is [N,N,512] f32 = 2,048 N^2, which makes
// it the peak.
TEST(MemoryModelAf3, XlaGluAddsThePreActivation) {
  auto xla_glu = [](ModelConfig& c) { c.glu_implementation = "xla"; };
  MemoryEstimate fused = estimate(4096), xla = estimate(4096, "triton", 5, xla_glu);
  EXPECT_EQ(changed(fused, xla), (std::set<std::string>{"template_embedder", "triangle_multiplication", "msa_module",
                                                         "pair_transition", "diffusion_conditioning", "confidence_head"}));
  // The [N,N,512] f32 pre-activation comes in, the [N,N,128] f32 LayerNorm goes (dead once
  // the pre-activation exists: XLA's temp peak, H100-80GB N=2048/4096 glu=xla compiles).
  EXPECT_EQ(phase_total(xla, "diffusion_conditioning") - phase_total(fused, "diffusion_conditioning"),
            Bytes((2048LL - 512) * 4096 * 4096));
  EXPECT_EQ(phase_total(xla, "triangle_multiplication") - phase_total(fused, "triangle_multiplication"),
            Bytes(1024LL * 4096 * 4096));
  EXPECT_EQ(xla.peak_phase, "diffusion_conditioning");
  EXPECT_GT(xla.pool, fused.pool);
}

TEST(MemoryModelAf3, DeterministicForAConfig) {
  MemoryEstimate a = estimate(3072), b = estimate(3072);
  EXPECT_EQ(a.total, b.total);
  EXPECT_EQ(a.peak_phase, b.peak_phase);
  ASSERT_EQ(a.phases.size(), b.phases.size());
  for (std::size_t i = 0; i < a.phases.size(); ++i) EXPECT_EQ(a.phases[i].total, b.phases[i].total);
}

TEST(MemoryModelAf3, ShardSpecMovesThePairTransitionAndTheDiffusionCopy) {
  auto forty_gb = [](ModelConfig& c) {
    c.pair_transition_shard_spec = SizeSpec::parse("((2048, None), (3072, 1024), (None, 512))");
  };
  EXPECT_EQ(changed(estimate(4096), estimate(4096, "triton", 5, forty_gb)), std::set<std::string>{"pair_transition"});
  // Sharding an unsharded size lowers that phase, and XLA's compiles keep a second copy of
  // the recycled pair in the diffusion loop only where the pair transition is unsharded.
  auto shard_all = [](ModelConfig& c) { c.pair_transition_shard_spec = SizeSpec::parse("((None, 256),)"); };
  MemoryEstimate plain = estimate(2048), sharded = estimate(2048, "triton", 5, shard_all);
  EXPECT_EQ(changed(plain, sharded),
            (std::set<std::string>{"pair_transition", "diffusion_conditioning_projection", "diffusion_conditioning",
                                   "atom_cross_attention", "diffusion_transformer"}));
  EXPECT_LT(phase_total(sharded, "pair_transition"), phase_total(plain, "pair_transition"));
  EXPECT_EQ(phase_total(plain, "diffusion_conditioning_projection") -
                phase_total(sharded, "diffusion_conditioning_projection"),
            Bytes(512LL * 2048 * 2048));
  EXPECT_LT(sharded.total, plain.total);
}

TEST(MemoryModelAf3, ChunkSizeMovesOnlyThePairAttention) {
  auto small_chunks = [](ModelConfig& c) { c.pair_attention_chunk_size = SizeSpec::parse("((None, 16),)"); };
  for (const char* flash : {"triton", "cudnn", "xla"}) {
    MemoryEstimate a = estimate(1024, flash), b = estimate(1024, flash, 5, small_chunks);
    EXPECT_EQ(changed(a, b), std::set<std::string>{"pair_attention"}) << flash;
    EXPECT_LT(phase_total(b, "pair_attention"), phase_total(a, "pair_attention")) << flash;
  }
  // xla at 1024 tokens peaks in the grid attention: smaller chunks lower the total.
  EXPECT_LT(estimate(1024, "xla", 5, small_chunks).total, estimate(1024, "xla").total);
}

// XLA allocates the program's outputs for the whole program (output_bytes), so saved
// outputs are persistent.
TEST(MemoryModelAf3, SavedOutputsArePersistent) {
  auto distogram = [](ModelConfig& c) { c.save_distogram = true; };
  MemoryEstimate a = estimate(2048), b = estimate(2048, "triton", 5, distogram);
  // [N,N,64] f32 = 256 N^2 bytes.
  EXPECT_EQ(b.persistent - a.persistent, Bytes(256LL * 2048 * 2048));
  EXPECT_EQ(changed(a, b).size(), a.phases.size());
  EXPECT_GT(b.total, a.total);
  auto embeddings = [](ModelConfig& c) { c.save_embeddings = true; };
  MemoryEstimate e = estimate(2048, "triton", 5, embeddings);
  EXPECT_EQ(e.persistent - a.persistent, Bytes(384LL * 4 * 2048));
}

TEST(MemoryModelAf3, Float32ActivationsWidenOnlyBfloat16Tensors) {
  auto f32 = [](ModelConfig& c) { c.bfloat16 = "none"; };
  MemoryEstimate a = estimate(2048), b = estimate(2048, "triton", 5, f32);
  EXPECT_GT(b.pool, a.pool);
  EXPECT_GE(b.persistent, a.persistent);
  for (const PhaseEstimate& p : b.phases)
    for (const TensorTerm& t : p.terms) EXPECT_NE(t.dtype, "bf16") << t.name;
}

TEST(MemoryModelAf3, BreakdownAddsUpAndNamesItsOrigins) {
  MemoryEstimate e = estimate(5120);
  Bytes sum;
  for (const auto& [category, bytes] : e.categories) sum += bytes;
  EXPECT_EQ(sum, e.total);
  EXPECT_EQ(e.categories.at("Model parameters"), Bytes(1146752808));
  for (const char* c : {"Embeddings", "Diffusion", "Overhead"}) EXPECT_GT(e.categories.at(c), Bytes()) << c;
  EXPECT_GT(estimate(1024, "xla").categories.at("Attention"), Bytes());
  for (const auto& p : e.phases)
    for (const auto& t : p.terms) EXPECT_FALSE(t.source.empty()) << p.name << ": " << t.name;
  for (const auto& t : e.overhead_terms) EXPECT_NE(t.source.find("estimate, to calibrate"), std::string::npos);
  EXPECT_NEAR(e.relative_uncertainty, 0.25, 1e-6);
  EXPECT_NE(e.uncertainty_origin.find("uncalibrated"), std::string::npos);
}

// AlphaFold 3's documentation: 5120 tokens fit an 80 GB A100/H100 with a 0.95 pool; the
// maintainers expect an L40S 48 GB (46068 MiB) to fold 1281 tokens (bucket 1536).
TEST(MemoryModelAf3, ReproducesTheDocumentedLimits) {
  const Bytes a100_pool = Bytes::from_mib(81920).scaled(0.95);
  MemoryEstimate e = estimate(5120);
  EXPECT_LE(e.pool, a100_pool);
  EXPECT_LE(e.total, Bytes::from_mib(81920));
  const Bytes l40s_pool = Bytes::from_mib(46068).scaled(0.95);
  EXPECT_LE(estimate(1536).pool, l40s_pool);
  // An A100 40 GB needs unified memory at 4352 tokens even with the 40 GB shard spec.
  auto forty_gb = [](ModelConfig& c) {
    c.pair_transition_shard_spec = SizeSpec::parse("((2048, None), (3072, 1024), (None, 512))");
  };
  EXPECT_GT(estimate(4608, "triton", 5, forty_gb).pool, Bytes::from_mib(40960));
}

}  // namespace
}  // namespace foldfit
