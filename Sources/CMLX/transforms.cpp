// Closures (C function pointer + retained payload) and MLX's function transforms.
#include <memory>

#include "internal.hpp"

using namespace cmlx;

namespace {

mlxc_closure_* wrap(MLXFunction function) {
  return new mlxc_closure_{std::move(function)};
}

}  // namespace

extern "C" {

int mlxc_closure_new(mlxc_callback callback, void* payload, mlxc_destructor destructor, mlxc_closure* out) {
  return guarded([&] {
    // The payload lives as long as the last copy of the std::function (compiled functions keep one).
    std::shared_ptr<void> owner(payload, [destructor](void* p) {
      if (destructor) destructor(p);
    });
    *out = wrap([callback, owner](const std::vector<mx::array>& inputs) {
      mlxc_vector_ in{inputs};
      mlxc_vector_ result;
      if (callback(owner.get(), &in, &result) != 0) {
        // The callback has returned: throwing here never crosses a Swift frame.
        throw std::runtime_error(mlxc_last_error());
      }
      return std::move(result.values);
    });
  });
}

void mlxc_closure_free(mlxc_closure c) {
  delete c;
}

int mlxc_closure_apply(mlxc_closure c, mlxc_vector inputs, mlxc_vector outputs) {
  return guarded([&] { outputs->values = c->function(inputs->values); });
}

int mlxc_vjp(mlxc_closure f, mlxc_vector primals, mlxc_vector cotangents, mlxc_vector outputs, mlxc_vector vjps) {
  return guarded([&] {
    auto [values, grads] = mx::vjp(f->function, primals->values, cotangents->values);
    outputs->values = std::move(values);
    vjps->values = std::move(grads);
  });
}

int mlxc_jvp(mlxc_closure f, mlxc_vector primals, mlxc_vector tangents, mlxc_vector outputs, mlxc_vector jvps) {
  return guarded([&] {
    auto [values, derivatives] = mx::jvp(f->function, primals->values, tangents->values);
    outputs->values = std::move(values);
    jvps->values = std::move(derivatives);
  });
}

int mlxc_value_and_grad(mlxc_closure f, const int32_t* argnums, int nargnums, mlxc_vector inputs,
                        mlxc_vector values, mlxc_vector grads) {
  return guarded([&] {
    auto function = mx::value_and_grad(f->function, to_ints(argnums, nargnums));
    auto [v, g] = function(inputs->values);
    values->values = std::move(v);
    grads->values = std::move(g);
  });
}

int mlxc_compile(mlxc_closure f, bool shapeless, mlxc_closure* out) {
  return guarded([&] { *out = wrap(mx::compile(f->function, shapeless)); });
}

int mlxc_checkpoint(mlxc_closure f, mlxc_closure* out) {
  return guarded([&] { *out = wrap(mx::checkpoint(f->function)); });
}

void mlxc_set_compile_enabled(bool enabled) {
  if (enabled) {
    mx::enable_compile();
  } else {
    mx::disable_compile();
  }
}

}  // extern "C"
