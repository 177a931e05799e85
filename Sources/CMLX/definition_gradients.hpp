// Gradients of a CMLX primitive from its definition in MLX ops.
//
// Why: the CPU kernels only compute values faster; their derivatives are those of the same function
// written with MLX ops, which MLX's autodiff already knows (and which run on any device).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "internal.hpp"
#include "mlx/primitives.h"

namespace cmlx {

/// The vector-Jacobian products of `definition` at `primals` for the arguments in `argnums`.
inline std::vector<mx::array> vjp_from_definition(const MLXFunction& definition, const std::vector<mx::array>& primals,
                                                  const std::vector<mx::array>& cotangents, const std::vector<int>& argnums) {
  auto gradients = mx::vjp(definition, primals, cotangents).second;
  std::vector<mx::array> result;
  for (int argnum : argnums) result.push_back(gradients[argnum]);
  return result;
}

/// The Jacobian-vector product of `definition` at `primals` for tangents of the arguments in
/// `argnums` (the others held fixed).
inline std::vector<mx::array> jvp_from_definition(const MLXFunction& definition, const std::vector<mx::array>& primals,
                                                  const std::vector<mx::array>& tangents, const std::vector<int>& argnums) {
  std::vector<mx::array> all_tangents;
  for (const auto& primal : primals) all_tangents.push_back(mx::zeros_like(primal));
  for (size_t index = 0; index < argnums.size(); ++index) all_tangents[argnums[index]] = tangents[index];
  return mx::jvp(definition, primals, all_tangents).second;
}

/// A one-output CPU primitive whose gradients are those of `definition()`, the same function from
/// MLX ops (off the CPU, the entry points compose those ops instead of creating the primitive).
class OpsDefinedPrimitive : public mx::UnaryPrimitive {
 public:
  using mx::UnaryPrimitive::UnaryPrimitive;

  virtual MLXFunction definition() const = 0;

  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error(std::string(name()) + " runs on the CPU only (elsewhere MLX ops compute it)");
  }

  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>&) override {
    return vjp_from_definition(definition(), primals, cotangents, argnums);
  }

  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>& argnums) override {
    return jvp_from_definition(definition(), primals, tangents, argnums);
  }
};

}  // namespace cmlx
