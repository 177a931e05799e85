// MLX's distributed layer (mlx::core::distributed): process groups and collectives over the
// ring backend (TCP; MLX_HOSTFILE + MLX_RANK), MPI (mpirun) or NCCL (CUDA builds). We add no
// transport of our own.
#include "internal.hpp"
#include "mlx/distributed/distributed.h"
#include "mlx/distributed/ops.h"

using namespace cmlx;
namespace dist = mx::distributed;

struct mlxc_group_ {
  dist::Group group;
  std::string backend;
};

extern "C" {

int mlxc_distributed_is_available(const char* backend) {
  try {
    return dist::is_available(backend ? std::string(backend) : std::string("any")) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

int mlxc_distributed_init(const char* backend, int strict, mlxc_group* out) {
  return guarded([&] {
    const std::string name = backend ? backend : "any";
    auto group = dist::init(strict != 0, name);
    *out = new mlxc_group_{group, name};
  });
}

void mlxc_group_free(mlxc_group group) { delete group; }

int mlxc_group_rank(mlxc_group group) { return group->group.rank(); }

int mlxc_group_size(mlxc_group group) { return group->group.size(); }

int mlxc_distributed_all_sum(mlxc_group group, mlxc_array a, mlxc_array* out) {
  return guarded([&] { emit(dist::all_sum(a->value, group->group), out); });
}

int mlxc_distributed_all_gather(mlxc_group group, mlxc_array a, mlxc_array* out) {
  return guarded([&] { emit(dist::all_gather(a->value, group->group), out); });
}

int mlxc_distributed_send(mlxc_group group, mlxc_array a, int destination, mlxc_array* out) {
  return guarded([&] { emit(dist::send(a->value, destination, group->group), out); });
}

int mlxc_distributed_recv(mlxc_group group, const int32_t* shape, int ndim, int dtype, int source, mlxc_array* out) {
  return guarded([&] { emit(dist::recv(to_shape(shape, ndim), to_dtype(dtype), source, group->group), out); });
}

}  // extern "C"
