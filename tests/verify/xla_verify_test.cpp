// The verify side that needs no Python: the request a plan makes, the response read, and
// XLA's buffer names mapped to foldfit's phases.
#include "foldfit/verify/xla_verify.hpp"

#include <gtest/gtest.h>

#include "foldfit/common/error.hpp"
#include "foldfit/device/gpu_table.hpp"

namespace foldfit {
namespace {

Plan plan_for(std::int64_t tokens, RunSettings s) {
  PlanInputs in;
  in.sizes.tokens = tokens;
  in.sizes.seeds = 1;
  in.settings = s;
  in.device.spec = *find_gpu("H100-80GB");
  in.device.total = in.device.spec.memory;
  in.margin = Bytes::from_gb(1);
  in.model = &MemoryModel::builtin();
  return fit_settings(in);
}

TEST(VerifyRequest, CarriesThePlansSettings) {
  RunSettings s;
  s.num_diffusion_samples = {6, Origin::flag};
  s.sample_runs = {2, Origin::plan};
  s.pair_transition_shard_spec = {SizeSpec::parse("((None, 512),)"), Origin::flag};
  s.bfloat16 = {"none", Origin::flag};
  Plan p = plan_for(1000, s);
  VerifyOptions o;
  o.target = "H100-80GB";
  o.device_memory = Bytes(80'000'000'000);
  o.cache_dir = "/cache";
  nlohmann::ordered_json j = verify_request(p, o);
  EXPECT_EQ(j["padded_tokens"], p.padded_tokens);
  EXPECT_EQ(j["num_diffusion_samples"], 3);  // per AlphaFold 3 process
  EXPECT_EQ(j["backend"], "cuda-deviceless");
  EXPECT_EQ(j["target"]["name"], "H100-80GB");
  EXPECT_EQ(j["device_memory_bytes"], 80'000'000'000);
  EXPECT_EQ(j["global_config"]["pair_transition_shard_spec"], "((None, 512),)");
  EXPECT_EQ(j["global_config"]["bfloat16"], "none");
  EXPECT_TRUE(j["glu_implementation"].is_null());
  o.backend = XlaBackend::cpu;
  EXPECT_TRUE(verify_request(p, o)["target"].is_null());
}

TEST(VerifyResponse, ReadsTheFiguresAndChecksThePool) {
  nlohmann::json r = {{"argument_bytes", 100}, {"output_bytes", 20}, {"alias_bytes", 5}, {"temp_bytes", 1000},
                      {"pool_bytes", 1115}, {"backend", "cuda-deviceless"}, {"target", {{"name", "H100-80GB"}}},
                      {"rematerialization_warning", nullptr}, {"cached", true},
                      {"largest_buffers", {{{"bytes", 700}, {"shape", "[4,4,267]"}, {"dtype", "f32"},
                                            {"name", "jit(apply_fn)/diffuser/while/body/vmap(diffusion_head)/concatenate"}}}}};
  XlaFigures f = parse_verify_response(r, "resp.json");
  EXPECT_EQ(f.pool, Bytes(1115));
  EXPECT_TRUE(f.cached);
  EXPECT_EQ(f.target, "H100-80GB");
  ASSERT_EQ(f.largest.size(), 1u);
  EXPECT_EQ(f.largest[0].phase, "diffusion_conditioning");
  r["pool_bytes"] = 7;
  EXPECT_THROW(parse_verify_response(r, "resp.json"), InputError);
  EXPECT_THROW(parse_verify_response(nlohmann::json{{"argument_bytes", "x"}}, "resp.json"), InputError);
}

TEST(VerifyBuffers, NamesMapToPhases) {
  EXPECT_EQ(phase_of_buffer("jit(apply_fn)/diffuser/while/body/closed_call/vmap(diffusion_head)/pair_cond_initial_norm/mul"),
            "diffusion_conditioning");
  EXPECT_EQ(phase_of_buffer("x/vmap(diffusion_head)/transformer/while/body/closed_call/dot_general"), "diffusion_transformer");
  EXPECT_EQ(phase_of_buffer("x/vmap(diffusion_head)/diffusion_atom_transformer_encoder/add"), "atom_cross_attention");
  EXPECT_EQ(phase_of_buffer("jit(apply_fn)/diffuser/while"), "persistent (pair embedding carried through the loop)");
  EXPECT_EQ(phase_of_buffer("copy.33"), "");
  EXPECT_EQ(backend_from_name("cuda-deviceless"), XlaBackend::cuda_deviceless);
  EXPECT_FALSE(backend_from_name("tpu"));
}

}  // namespace
}  // namespace foldfit
