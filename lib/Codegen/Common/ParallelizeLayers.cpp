//===- ParallelizeLayers.cpp - a [begin, end) range per layer function ----===//
//
// For `qcc --threads=N`: each layer function gets the range of one independent loop of
// its nest as two extra arguments; qcc-launch-parallel hands the range to the thread pool.
//
//===----------------------------------------------------------------------===//
#include "qcc/Codegen/Passes.h"
#include "qcc/Dialect/Qcc/IR/QccDialect.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/Support/Debug.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCPARALLELIZELAYERS
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

#define DEBUG_TYPE "qcc-parallelize-layers"

namespace {

std::optional<int64_t> tripCount(scf::ForOp loop) {
  auto lb = getConstantIntValue(loop.getLowerBound());
  auto ub = getConstantIntValue(loop.getUpperBound());
  auto step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0)
    return std::nullopt;
  return *ub <= *lb ? 0 : (*ub - *lb + *step - 1) / *step;
}

/// One memory access: the buffer and the values that form its address.
struct Access {
  Value memref;
  SmallVector<Value> address; // memref and indices
};

std::optional<Access> asWrite(Operation *op) {
  if (auto s = dyn_cast<memref::StoreOp>(op))
    return Access{s.getMemRef(), llvm::to_vector(s.getIndices())};
  if (auto w = dyn_cast<vector::TransferWriteOp>(op))
    return Access{w.getSource(), llvm::to_vector(w.getIndices())};
  if (auto s = dyn_cast<vector::StoreOp>(op))
    return Access{s.getBase(), llvm::to_vector(s.getIndices())};
  if (auto s = dyn_cast<vector::MaskedStoreOp>(op))
    return Access{s.getBase(), llvm::to_vector(s.getIndices())};
  return std::nullopt;
}

std::optional<Access> asRead(Operation *op) {
  if (auto l = dyn_cast<memref::LoadOp>(op))
    return Access{l.getMemRef(), llvm::to_vector(l.getIndices())};
  if (auto r = dyn_cast<vector::TransferReadOp>(op))
    return Access{r.getSource(), llvm::to_vector(r.getIndices())};
  if (auto l = dyn_cast<vector::LoadOp>(op))
    return Access{l.getBase(), llvm::to_vector(l.getIndices())};
  if (auto l = dyn_cast<vector::MaskedLoadOp>(op))
    return Access{l.getBase(), llvm::to_vector(l.getIndices())};
  if (auto g = dyn_cast<vector::GatherOp>(op)) {
    SmallVector<Value> address = llvm::to_vector(g.getIndices());
    address.push_back(g.getIndexVec());
    return Access{g.getBase(), address};
  }
  return std::nullopt;
}

/// The SIMD arithmetic intrinsics the dot-product passes emit (VPDPBUSD, PMADDWD, SDOT):
/// no pointer operand, so no memory access.
bool isArithmeticIntrinsic(Operation *op) {
  auto call = dyn_cast<LLVM::CallIntrinsicOp>(op);
  if (!call)
    return false;
  StringRef name = call.getIntrin();
  if (!name.starts_with("llvm.x86.") && !name.starts_with("llvm.aarch64.neon."))
    return false;
  auto isPointer = [](Type t) { return isa<LLVM::LLVMPointerType, MemRefType>(t); };
  return llvm::none_of(op->getOperandTypes(), isPointer) &&
         llvm::none_of(op->getResultTypes(), isPointer);
}

/// The buffer a memref value views, as a root value and a byte range within it
/// (the whole root unless a `memref.view` with a constant shift is on the way).
struct BufferRegion {
  Value root;
  int64_t begin = 0, end = std::numeric_limits<int64_t>::max();
  bool overlaps(const BufferRegion &o) const {
    return root == o.root && begin < o.end && o.begin < end;
  }
};

BufferRegion regionOf(Value m) {
  BufferRegion r;
  while (true) {
    Operation *def = m.getDefiningOp();
    if (auto view = dyn_cast_or_null<memref::ViewOp>(def)) {
      auto shift = getConstantIntValue(view.getByteShift());
      auto type = view.getType();
      if (shift && type.hasStaticShape() && r.end == std::numeric_limits<int64_t>::max()) {
        r.begin = *shift;
        r.end = *shift + type.getNumElements() * type.getElementTypeBitWidth() / 8;
      }
      m = view.getSource();
      continue;
    }
    if (auto like = dyn_cast_or_null<ViewLikeOpInterface>(def)) {
      m = like.getViewSource();
      continue;
    }
    r.root = m;
    return r;
  }
}

/// Decides whether the iterations of `loop` are independent (see the pass description).
class IndependenceCheck {
public:
  explicit IndependenceCheck(scf::ForOp loop) : loop(loop), iv(loop.getInductionVar()) {}

  bool run() {
    if (loop.getNumRegionIterArgs() != 0)
      return false;
    SmallVector<Access> writes, reads;
    bool ok = true;
    loop.getBody()->walk([&](Operation *op) {
      if (auto w = asWrite(op)) {
        writes.push_back(*w);
        return;
      }
      if (auto r = asRead(op)) {
        reads.push_back(*r);
        return;
      }
      if (isa<scf::ForOp, scf::IfOp, scf::YieldOp>(op) || isMemoryEffectFree(op) ||
          isArithmeticIntrinsic(op) ||
          isa<ViewLikeOpInterface>(op) || isa<memref::AllocaOp>(op))
        return;
      LLVM_DEBUG(llvm::dbgs() << "  unknown effects: " << *op << "\n");
      ok = false;
    });
    if (!ok)
      return false;
    SmallVector<BufferRegion> written;
    splitsRows = true;
    for (Access &w : writes) {
      BufferRegion r = regionOf(w.memref);
      if (isPrivate(r.root))
        continue;
      if (!addressDependsOnIv(w))
        return false;
      splitsRows &= rowDependsOnIv(w);
      written.push_back(r);
    }
    splitsRows &= !written.empty();
    for (Access &rd : reads) {
      BufferRegion r = regionOf(rd.memref);
      if (isPrivate(r.root))
        continue;
      bool shared = llvm::any_of(written, [&](const BufferRegion &w) { return w.overlaps(r); });
      if (shared && !addressDependsOnIv(rd))
        return false;
    }
    return true;
  }

  /// After run(): every write's row coordinate (the second-to-last dimension of the
  /// buffer, H of NCHW) depends on the induction variable.
  bool splitsRows = false;

private:
  /// True if the index of dimension rank-2 of the written buffer, or of a buffer it is
  /// a subview of, depends on the induction variable.
  bool rowDependsOnIv(const Access &w) {
    Value m = w.memref;
    auto type = cast<MemRefType>(m.getType());
    if (type.getRank() >= 2 && (int64_t)w.address.size() == type.getRank() &&
        dependsOnIv(w.address[type.getRank() - 2]))
      return true;
    while (Operation *def = m.getDefiningOp()) {
      if (auto sub = dyn_cast<memref::SubViewOp>(def)) {
        int64_t rank = sub.getSourceType().getRank();
        if (rank >= 2)
          if (auto v = dyn_cast<Value>(sub.getMixedOffsets()[rank - 2]); v && dependsOnIv(v))
            return true;
        m = sub.getSource();
        continue;
      }
      if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def)) {
        m = def->getOperand(0);
        continue;
      }
      break;
    }
    return false;
  }

  /// A buffer allocated inside the loop: each iteration has its own.
  bool isPrivate(Value root) {
    Operation *def = root.getDefiningOp();
    return def && isa<memref::AllocaOp>(def) && loop->isProperAncestor(def);
  }

  bool addressDependsOnIv(const Access &a) {
    if (dependsOnIv(a.memref))
      return true;
    return llvm::any_of(a.address, [&](Value v) { return dependsOnIv(v); });
  }

  bool dependsOnIv(Value v) {
    if (v == iv)
      return true;
    auto it = memo.find(v);
    if (it != memo.end())
      return it->second;
    memo[v] = false; // cycles (loop-carried values) do not add a dependence
    bool result = false;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      // An inner loop's induction variable: through its bounds.
      if (auto inner = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp()))
        if (loop->isProperAncestor(inner))
          result = llvm::any_of(inner->getOperands(), [&](Value o) { return dependsOnIv(o); });
    } else if (Operation *def = v.getDefiningOp()) {
      if (loop->isProperAncestor(def))
        result = llvm::any_of(def->getOperands(), [&](Value o) { return dependsOnIv(o); });
    }
    return memo[v] = result;
  }

  scf::ForOp loop;
  Value iv;
  DenseMap<Value, bool> memo;
};

/// Operations the nest executes, with static trip counts (others count once).
int64_t estimateWork(Operation *op) {
  int64_t work = 0;
  for (Region &region : op->getRegions())
    for (Operation &inner : region.getOps())
      work += 1 + estimateWork(&inner);
  if (auto loop = dyn_cast<scf::ForOp>(op))
    work *= std::max<int64_t>(1, tripCount(loop).value_or(1));
  return work;
}

/// True if no op of `block` but those in `except` writes memory or has regions.
bool onlyReadsAndComputes(Block &block, ArrayRef<Operation *> except) {
  for (Operation &op : block) {
    if (llvm::is_contained(except, &op) || op.hasTrait<OpTrait::IsTerminator>())
      continue;
    if (op.getNumRegions() != 0 || !(isMemoryEffectFree(&op) || asRead(&op)))
      return false;
  }
  return true;
}

struct QccParallelizeLayersPass
    : mlir::qcc::impl::QccParallelizeLayersBase<QccParallelizeLayersPass> {
  using QccParallelizeLayersBase::QccParallelizeLayersBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp entry = mlir::qcc::getEntryFunction(module);
    if (!entry || threads < 2)
      return;
    SmallVector<func::CallOp> calls;
    entry.walk([&](func::CallOp call) { calls.push_back(call); });
    // Symbol uses of every function, in one walk (a layer function must have one).
    DenseMap<StringAttr, int64_t> uses;
    if (auto users = SymbolTable::getSymbolUses(&module.getBodyRegion()))
      for (const SymbolTable::SymbolUse &use : *users)
        ++uses[use.getSymbolRef().getRootReference()];
    int64_t split = 0;
    for (func::CallOp call : calls) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (!callee || !callee.isPrivate() || callee.isExternal() ||
          callee.getNumResults() != 0 || callee->hasAttr(kParallelTripsAttrName))
        continue;
      if (uses.lookup(callee.getSymNameAttr()) != 1)
        continue;
      split += parallelize(call, callee);
    }
    // For `qcc -v`: how many of the layer calls run on the pool.
    Builder b(module.getContext());
    module->setAttr(kParallelLayersAttrName, b.getI64IntegerAttr(split));
    module->setAttr(kLayersAttrName, b.getI64IntegerAttr(calls.size()));
  }

  /// Splits `callee`'s loop nest if it can; returns whether it did.
  bool parallelize(func::CallOp call, func::FuncOp callee) {
    Block &body = callee.getBody().front();
    if (!callee.getBody().hasOneBlock())
      return false;
    scf::ForOp top;
    for (Operation &op : body)
      if (auto loop = dyn_cast<scf::ForOp>(op)) {
        if (top)
          return false; // two loop nests: not one layer
        top = loop;
      }
    if (!top || !onlyReadsAndComputes(body, {top}))
      return false;
    if (estimateWork(callee) < minWork) {
      LLVM_DEBUG(llvm::dbgs() << callee.getName() << ": too little work\n");
      return false;
    }

    // The perfect nest from the top loop down. Preferred: an independent loop over output
    // rows that splits evenly (>= 90 % busy) with at most 2 x threads iterations of loops
    // around it. Every such layer gives each thread about the same band of rows, so a
    // thread mostly reads what it wrote in the layer before, from its own cache:
    // splitting a 3x3 convolution's two filter blocks instead made each thread read the
    // other's output and ran slower than one thread (ResNet-style, x86_64-v4). Inside
    // many outer iterations (a depthwise layer's channels, a copy's planes) a row range
    // costs more than it saves, so there: the outermost independent loop that splits
    // evenly (>= 90 %), else the best-balanced one.
    scf::ForOp chosen, evenLoop, rowLoop;
    int64_t chosenTrips = 0, evenTrips = 0, rowTrips = 0, outerTrips = 1;
    double bestBalance = 0;
    for (scf::ForOp loop = top; loop;) {
      std::optional<int64_t> trips = tripCount(loop);
      IndependenceCheck check(loop);
      if (trips && *trips >= 2 && check.run()) {
        // The busy fraction of the threads: T / (threads * ceil(T / threads)).
        int64_t perThread = (*trips + threads - 1) / threads;
        double balance = double(*trips) / double(perThread * threads);
        if (balance > bestBalance) {
          bestBalance = balance;
          chosen = loop;
          chosenTrips = *trips;
        }
        if (balance >= 0.9 && !evenLoop) {
          evenLoop = loop;
          evenTrips = *trips;
        }
        if (balance >= 0.9 && check.splitsRows && outerTrips <= 2 * threads) {
          rowLoop = loop;
          rowTrips = *trips;
          break;
        }
      }
      if (loop.getNumRegionIterArgs() != 0)
        break;
      outerTrips *= std::max<int64_t>(1, tripCount(loop).value_or(1));
      scf::ForOp next;
      for (Operation &op : *loop.getBody())
        if (auto inner = dyn_cast<scf::ForOp>(op)) {
          if (next) {
            next = nullptr;
            break;
          }
          next = inner;
        }
      if (!next || !onlyReadsAndComputes(*loop.getBody(), {next}))
        break;
      loop = next;
    }
    if (rowLoop)
      std::tie(chosen, chosenTrips) = std::make_pair(rowLoop, rowTrips);
    else if (evenLoop)
      std::tie(chosen, chosenTrips) = std::make_pair(evenLoop, evenTrips);
    if (!chosen) {
      LLVM_DEBUG(llvm::dbgs() << callee.getName() << ": no independent loop\n");
      return false;
    }
    LLVM_DEBUG(llvm::dbgs() << callee.getName() << ": " << chosenTrips << " iterations"
                            << (chosen == rowLoop ? " (rows)" : "") << "\n");

    // Two arguments: the range of iterations this call computes.
    OpBuilder b(callee.getContext());
    Type index = b.getIndexType();
    Location loc = chosen.getLoc();
    unsigned n = callee.getNumArguments();
    (void)callee.insertArgument(n, index, {}, loc);
    (void)callee.insertArgument(n + 1, index, {}, loc);
    Value begin = callee.getArgument(n), end = callee.getArgument(n + 1);
    b.setInsertionPoint(chosen);
    int64_t lb = *getConstantIntValue(chosen.getLowerBound());
    int64_t step = *getConstantIntValue(chosen.getStep());
    Value lbV = b.create<arith::ConstantIndexOp>(loc, lb);
    Value stepV = b.create<arith::ConstantIndexOp>(loc, step);
    Value newLb = b.create<arith::AddIOp>(loc, lbV, b.create<arith::MulIOp>(loc, begin, stepV));
    Value newUb = b.create<arith::MinSIOp>(
        loc, b.create<arith::AddIOp>(loc, lbV, b.create<arith::MulIOp>(loc, end, stepV)),
        chosen.getUpperBound());
    chosen.getLowerBoundMutable().assign(newLb);
    chosen.getUpperBoundMutable().assign(newUb);
    callee->setAttr(kParallelTripsAttrName, b.getI64IntegerAttr(chosenTrips));

    b.setInsertionPoint(call);
    SmallVector<Value> operands(call.getOperands());
    operands.push_back(b.create<arith::ConstantIndexOp>(call.getLoc(), 0));
    operands.push_back(b.create<arith::ConstantIndexOp>(call.getLoc(), chosenTrips));
    call->setOperands(operands);
    return true;
  }
};

} // namespace
