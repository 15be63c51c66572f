//===- Passes.td - qcc code generation passes --------------*- tablegen -*-===//
//
// Code generation on upstream dialects (linalg, vector, scf, memref, LLVM), after
// convert-qcc-to-linalg. The sources live under lib/Codegen: Common/ for passes every
// target runs, X86/ and AArch64/ for the rewrites only that target's pipeline adds.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_CODEGEN_PASSES_TD
#define QCC_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def QccVectorizeConv : Pass<"qcc-vectorize-conv", "func::FuncOp"> {
  let summary = "Tile convolutions into register blocks and vectorize them";
  let description = [{
    Runs on tensors, after `convert-qcc-to-linalg`. Each convolution generic that the
    lowering marked with `qcc.tile_sizes` (unit stride along W, block sizes dividing the
    output) is tiled with those sizes (scf.for loops over n, g, f, oh, ow blocks and over
    every c, kh, kw), the unit dimensions of the tile are folded away, and the tile becomes
    vector code: a block of output channels times a block of output columns, each step one
    broadcast weight times one contiguous input row. After bufferization,
    `qcc-hoist-accumulators` keeps the accumulator block in registers across the c, kh, kw
    loops.

    An optional `qcc.tile_interchange` (a permutation of the loops) orders the block loops;
    the lowering asks for filter blocks outside the output rows where the weights outweigh
    the input plane. A block that reads input rows with stride 2 (a strided depthwise
    convolution with output columns on the lanes) reads two contiguous n-lane vectors,
    `[0, n)` and `[n - 1, 2n - 1)`, and keeps the even elements with one shuffle per row,
    instead of one scalar load per lane.

    A convolution whose only user is an elementwise op (its `qcc.epilogue` requantization,
    or a float convolution's Relu / Clip; other inputs only broadcast parameters) is tiled
    through that epilogue instead: the epilogue is tiled into the register blocks with the
    convolution and its bias broadcast fused into each block, so the accumulator never
    leaves registers. An elementwise consumer reading the convolution through a
    collapse_shape (to NCHW) is first run on the uncollapsed result (linalg's
    reshape-by-expansion folding), and one reading a slice at offset 0 of it (a depthwise
    convolution computed over a few extra columns) is moved before the slice, so that it
    reads the convolution directly.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
                           "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def QccHoistAccumulators : Pass<"qcc-hoist-accumulators", "func::FuncOp"> {
  let summary = "Keep vector accumulators in registers across reduction loops";
  let description = [{
    Runs on buffers, after bufferization and before `qcc-plan-arena` (while every buffer is
    its own allocation, so that aliasing is visible): hoists loop-invariant
    vector.transfer_read / transfer_write pairs out of scf.for loops
    (linalg::hoistRedundantVectorTransfers).
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect"];
}

def QccX86DotProducts : Pass<"qcc-x86-dot-products", "func::FuncOp"> {
  let summary = "Paired 16-bit and quad 8-bit products into PMADDWD / VPDPWSSD / VPDPBUSD";
  let description = [{
    The integer convolutions lowered with `pair-products` accumulate, per lane,
    `acc + lo(a) * lo(w) + hi(a) * hi(w)` where `lo`/`hi` are the signed 16-bit halves of
    32-bit words (`(v << 16) >> 16` and `v >> 16`). That is exactly PMADDWD's product (no
    saturation for the centered 8-bit values packed here). After the accumulators are in
    registers, this pass replaces each such vector add, row by row:

    - `isa=vnni` (AVX512-VNNI): `llvm.x86.avx512.vpdpwssd.{128,256,512}`, the multiply and
      the accumulation in one instruction per row; and the quad products of
      `quad-unsigned-input` (`acc + sum_k ubyte_k(a) * sbyte_k(w)`, a's bytes extracted with
      logical shifts) become `llvm.x86.avx512.vpdpbusd.{128,256,512}`;
    - `isa=avx2`: `llvm.x86.avx2.pmadd.wd` per 8 lanes, then an add;
    - `isa=sse2`: `llvm.x86.sse2.pmadd.wd` per 4 lanes, then an add;

    instead of the shifts, masks and 32-bit multiplies LLVM would otherwise select.

    With `isa=vnni` it also rewrites depthwise row blocks (`depthwise-row-blocks`): a loop
    over at most 4 kernel columns that adds `extui(x[.., kw + sc * i]) * extsi(w[kh, kw])`
    (or the input centered by its zero point, `extsi(extui(x) - zp)`) to a block of 8 or
    16 lanes per row, for column stride sc = 1 or 2. Per row it becomes one masked read of
    the input row from column 0, one byte shuffle into a quad per lane
    (`x[sc*i .. sc*i+3]`: VPERMW for stride 2, VPERMQ + VPSHUFB for unit stride) and one
    VPDPBUSD with the broadcast weight word `(w[kh, 0], .., w[kh, KW-1], 0..)`, minus
    `zp * sum_kw w[kh, kw]` for a centered input: 3 multiply-accumulates per lane per
    instruction instead of one 32-bit multiply and add each. Unsigned weights with a zero
    point zw (TFLite's uint8 models) swap the operands' roles: the input bytes become
    signed (`x' = x xor 0x80`), and `sum (x - zp)(w - zw) = D1 - D2 + (128 - zp) *
    (sum w - KW * zw)` with `D1` the VPDPBUSD of the weight word and `x'` and `D2` that of
    the word `(zw, .., zw, 0..)` and `x'`.
  }];
  let options = [
    Option<"instructionSet", "isa", "::mlir::qcc::X86DotIsa",
           /*default=*/"::mlir::qcc::X86DotIsa::VNNI", "Instruction set of the target",
           [{::llvm::cl::values(
               clEnumValN(::mlir::qcc::X86DotIsa::VNNI, "vnni", "AVX512-VNNI"),
               clEnumValN(::mlir::qcc::X86DotIsa::AVX2, "avx2", "AVX2 (256-bit PMADDWD)"),
               clEnumValN(::mlir::qcc::X86DotIsa::SSE2, "sse2", "SSE2 (128-bit PMADDWD)"))}]>
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::vector::VectorDialect"];
}

def QccArmDotProducts : Pass<"qcc-arm-dot-products", "func::FuncOp"> {
  let summary = "Quad 8-bit products into AArch64 SDOT";
  let description = [{
    The integer convolutions lowered with `quad-products` accumulate, per lane,
    `acc + sum_k byte_k(a) * byte_k(w)` over the four signed bytes of 32-bit words
    (`(v << (24 - 8k)) >> 24`). That is exactly SDOT's 4-way dot product. After the
    accumulators are in registers, this pass replaces each such vector add with
    `llvm.aarch64.neon.sdot.v4i32.v16i8` per 4 lanes (16 multiply-accumulates per
    instruction) on targets with the dot product (ARMv8.2 +dotprod).

    With `dot-product=false` (ARMv8.0, the Cortex-A72 of the Raspberry Pi 4) each such add
    becomes, per 4 lanes, SMULL and SMULL2 of the low and high 8 bytes (16 products in 16
    bits), ADDP of the two (adjacent products summed in 16 bits) and SADALP into the
    accumulator (adjacent pairs summed into the 32-bit lanes): two multiplies per 16
    multiply-accumulates instead of four SMLALs. The 16-bit pair sums are exact because
    the lowering (`quad-pair-sums-16`) gives quads only weights in [-127, 127] and inputs
    in [-128, 127]: |a0 w0 + a1 w1| <= 32512.
  }];
  let options = [
    Option<"dotProduct", "dot-product", "bool", /*default=*/"true",
           "The target has SDOT; otherwise SMULL / ADDP / SADALP">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::vector::VectorDialect"];
}

def QccCortexMDotProducts : Pass<"qcc-cortex-m-dot-products", "func::FuncOp"> {
  let summary = "Quad 8-bit products into the Cortex-M DSP's SXTB16 + SMLAD";
  let description = [{
    SMLAD, the ARMv7E-M DSP instruction of the Cortex-M4, M7, M33 and M55, multiplies the
    signed 16-bit halves of two registers and adds both products to a 32-bit accumulator.
    The integer convolutions lowered with `quad-products` (the SDOT layout: four signed
    bytes per word) accumulate, per lane, `acc + sum_k byte_k(a) * byte_k(w)`. After the
    accumulators are in registers, this pass rewrites each such add lane by lane (the
    M-profile cores have no SIMD register file for these vectors; LLVM gets 32-bit words):
    each word is expanded in registers by `llvm.arm.sxtb16` into its bytes 0 and 2 and,
    rotated right by 8 (SXTB16's ROR #8 operand), its bytes 1 and 3, and two
    `llvm.arm.smlad` add the four products. The weights stay 8-bit in flash and the input
    8-bit in RAM; the input word's expansion is shared by the lanes of a register block
    (the trick of CMSIS-NN's kernels).

    Exact: the products of 8-bit values fit the 16-bit halves, and their sums the 32-bit
    accumulator for any convolution's reduction length.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
}

def QccPropagateChannelBlocks : Pass<"qcc-propagate-channel-blocks", "func::FuncOp"> {
  let summary = "Keep activations channel-blocked (NCHWc) between blocked layers";
  let description = [{
    Runs on tensors, right after `convert-qcc-to-linalg` with `blocked-lanes`: each
    blocked convolution packs its input (`tensor.pack` of the channels) and unpacks its
    result (`tensor.unpack`). This pass

    - folds `pack(unpack(y))` of the same blocking to `y`: consecutive blocked layers
      hand over their NCHWc tensors as they are;
    - moves an elementwise `linalg.generic` (all loops parallel, the output and every
      input read through the identity map, or an input broadcast along the channels)
      onto the blocked values when every identity input is an unpack of one blocking
      (unpacking its result instead: a convolution's Relu or Clip, a residual Add; the op
      then reads the convolution directly and becomes its epilogue in
      `qcc-vectorize-conv`), or when its only user is a pack (packing its identity inputs
      instead: an average pooling's division by the per-position count). Only bodies that
      keep finite values finite move (additions, subtractions, multiplications, min/max,
      negation, comparisons, selects, finite constants, division by a nonzero constant or
      by a constant input of nonzero elements): see below;
    - runs a window op (max or average pooling: loops n, c, oh, ow | kh, kw) on the blocks
      (`linalg::pack` of its channel loop, marked for `qcc-vectorize-conv` with register
      blocks of a row of up to 8 columns x the lanes) when its input is a (spatially
      padded) unpack,
      or when a pack reads its result and its input is a concatenation of blocks; a pack
      of a spatial pad becomes a pad of the pack, a pack of a fill a fill of the blocked
      shape, and a pack of a concatenation along the channels whose pieces start on block
      boundaries a concatenation of the packed pieces at block offsets;
    - lowers the packs and unpacks that remain (the edges of the blocked layers) to
      pad + expand_shape + linalg.transpose and back (`linalg::lowerPack`).

    Padded channels (a channel count that is not a multiple of the block): a pack pads
    them with 0, a blocked convolution computes them with weight 0 and bias 0, and every
    blocked convolution weighs its input's padded channels 0. Their values, which a moved
    elementwise op may change (a Clip of 0 stays 0; any finite value is as good), never
    reach a real channel as long as they stay finite (0 x Inf would be NaN), so folding
    `pack(unpack(y))` need not restore the padding value.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def QccElidePadCopies : Pass<"qcc-elide-pad-copies", "func::FuncOp"> {
  let summary = "Producers write straight into the interior of padded buffers";
  let description = [{
    Runs on buffers, before `qcc-plan-arena`. A padded input (tensor.pad of a
    convolution's input) bufferizes to: a buffer B filled with the pad value, and a copy
    of the producer's result A into B's interior. When

    - A is an allocation, read only by that copy (directly or through one collapse_shape),
      and otherwise used only by subviews, vector transfers, memref loads and stores and
      linalg ops, all before the copy;
    - B is an allocation whose interior is a static unit-stride subview used only by the
      copy, and whose only use before the copy is one filling linalg op (linalg.map
      without inputs, or linalg.fill);

    then B moves before A's allocation, filled on its border only (A's value covered
    the whole interior, so the producer writes all of it), A becomes (an expand_shape of) B's
    interior, the subviews of A are rebuilt on it with their new strides, and the copy
    disappears: the producer writes its results where the consumer reads them. The
    arena then holds one buffer where it held two.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def QccTransposeStores : Pass<"qcc-transpose-stores", "func::FuncOp"> {
  let summary = "Transposed block stores as interleaves and row stores";
  let description = [{
    A convolution with its filters on the vector lanes ends each register block with a
    transposed store: a `vector<P x F x T>` (P output columns, F filters; T of 8, 16 or
    32 bits: int8 results, float results) written into the F x P corner of an NCHW
    plane, `permutation_map = (d0, d1) -> (d1, d0)`. The generic lowering transposes
    through single-element inserts and extracts (about 250 instructions for a 7 x 16 int8
    block on x86). For P <= 8, F = 8, 16 or 32 and a unit-stride row, this pass writes
    instead:

    - three rounds of two-input interleaves (`vector.shuffle` of 1, 2 and 4-element
      units: PUNPCKL/H or VPERMT2 on x86, ZIP1/ZIP2 on AArch64), 3 x 8 shuffles in all,
      after which each vector holds F/8 whole output rows of 8 elements (missing columns
      are 0);
    - one write of the first P elements per filter row: a `vector.maskedstore` of 8 with
      the first P lanes enabled (`masked-stores`, for targets with masked stores of every
      element width: AVX-512BW) or a `vector<P x T>` transfer_write.

    Any other transfer_write is left alone.
  }];
  let options = [
    Option<"maskedStores", "masked-stores", "bool", /*default=*/"false",
           "Write rows shorter than 8 elements with masked stores">,
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect", "::mlir::arith::ArithDialect"];
}

def QccPlanArena : Pass<"qcc-plan-arena", "ModuleOp"> {
  let summary = "Place every intermediate buffer of the entry function in one static arena";
  let description = [{
    Runs after bufferization on the function marked `qcc.entry`. Every `memref.alloc` in its
    body becomes a `memref.view` into a new trailing `memref<SIZE x i8>` argument (the
    caller's arena), so the generated code never allocates.

    A buffer is live from the first top-level op that touches it (or any view of it) to the
    last. Buffers are placed one by one at the lowest offset that does not overlap a placed
    buffer with an intersecting lifetime, aligned to `alignment` bytes; the placement is
    tried in several orders (largest first as TFLite Micro does, longest-lived first, by
    size x lifetime, program order) and the smallest arena is kept. If that is above the
    lower bound, a deterministic local search (fixed seed, at most 4000 swaps of two buffers
    in the placement order, each kept when the arena does not grow) improves on it.

    The module receives `qcc.arena_size` (bytes) and `qcc.arena_lower_bound` (the largest
    sum of bytes live at one step, which no placement can beat).
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Alignment of every buffer offset, and of the arena, in bytes">
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect"];
}

def QccOutlineLayers : Pass<"qcc-outline-layers", "ModuleOp"> {
  let summary = "Move each loop nest of the entry function into its own function";
  let description = [{
    Runs on buffers, after `qcc-plan-arena`. Every top-level op of the `qcc.entry`
    function that has regions (a layer's loop nest or structured op) moves into a private
    function `<entry>_l<N>` that the entry calls: LLVM's loop passes then work on one
    layer at a time instead of one function holding the whole network, which makes code
    generation markedly faster for large models without changing any result.

    Values the op uses are rebuilt inside the new function when side-effect free and
    region-free (constants, `memref.get_global`, views such as `memref.subview` and
    `memref.view` of the arena), so its arguments are only the entry's own buffers
    (static, identity layout: the bare-pointer calling convention passes them as plain
    pointers). An op using any other value stays in place. The outlined functions have
    internal linkage and are never inlined (`noinline`), so a model's object exports only
    its C entry point.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect"];
}

def QccParallelizeLayers : Pass<"qcc-parallelize-layers", "ModuleOp"> {
  let summary = "Split each layer's outer parallel loop into ranges for a thread pool";
  let description = [{
    Runs on loops (after `qcc-outline-layers` and `convert-linalg-to-loops`), for
    `qcc --threads=N` with N > 1. For each layer function `<entry>_l<K>` the entry calls,
    it picks one `scf.for` of the layer's perfect loop nest whose iterations are
    independent, and makes the function compute only iterations `[begin, end)` of it:
    two `index` arguments are appended and the loop's bounds become
    `lb + begin * step` and `min(lb + end * step, ub)`. The entry passes `0` and the trip
    count `T`, so the module still computes the whole layer on one thread, and the
    callee gets `qcc.parallel_trips = T`; `qcc-launch-parallel` then replaces the call by
    a call into the runtime's thread pool.

    A loop is chosen only when it is provably safe by this test:
    - constant bounds, no loop-carried values, nothing but side-effect-free ops around
      it in the function and between it and the loops enclosing it;
    - every memory write in it (`memref.store`, `vector.transfer_write`, `vector.store`,
      `vector.maskedstore`) has an address that depends on its induction variable;
    - every read of a buffer region written in it (arena views are compared by byte
      range) also has an address that depends on the induction variable;
    - no other op in it with memory effects (calls, unknown ops).
    Among the loops of the nest that pass, one over output rows (its induction variable
    moves every write's second-to-last index) that splits over the threads with at least
    90 % balance and has at most 2 x threads iterations of loops around it is preferred:
    every layer then gives a thread the same band of rows, which it mostly wrote itself
    in the layer before. Otherwise the outermost loop that splits with at least 90 %
    balance is taken, else the best-balanced one.
    Layers whose estimated work (operations executed) is below `min-work` stay serial:
    waking the pool costs more than they do.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"2",
           "Number of threads the layers are split for">,
    Option<"minWork", "min-work", "int64_t", /*default=*/"20000",
           "Layers executing fewer operations than this stay single-threaded">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect"];
}

def QccLaunchParallel : Pass<"qcc-launch-parallel", "ModuleOp"> {
  let summary = "Call the runtime's thread pool for the layers qcc-parallelize-layers split";
  let description = [{
    Runs on the LLVM dialect. For each function `F` with `qcc.parallel_trips = T` (its
    last two parameters are the `i64` range `[begin, end)`), emits
    `F_task(ptr ctx, i64 begin, i64 end)`, which loads F's other arguments from the
    8-byte slots of `ctx` and calls `F`, and replaces every call `F(args..., 0, T)` by

    ```c
    uint64_t ctx[K] = {args...};   /* a stack slot of the caller */
    qcc_parallel_for(F_task, ctx, T, threads);
    ```

    `qcc_parallel_for` (runtime/qcc_parallel.c, pthreads) runs the range in `threads`
    contiguous parts, one on the calling thread, and returns when all are done.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"2",
           "Number of threads passed to qcc_parallel_for">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def QccVectorToLLVM : Pass<"qcc-vector-to-llvm", "ModuleOp"> {
  let summary = "Vector dialect to LLVM with a chosen index width (upstream's pass is 64-bit)";
  let description = [{
    The same lowering as upstream's `convert-vector-to-llvm` in LLVM 19 (the vector-to-
    vector lowering patterns, then the conversion patterns with 32-bit vector indices),
    with one difference: memrefs and indices are converted with `index-bitwidth` bits.
    Upstream's pass always builds its type converter with the default 64-bit index, so on
    a 32-bit target (the Cortex-M ones) its memref descriptors disagree with those of
    `finalize-memref-to-llvm{index-bitwidth=32}` and the casts between them never
    reconcile. The pipelines use this pass where the index is 32 bits wide and upstream's
    elsewhere; with `index-bitwidth=0` (the default) both are the same.
  }];
  let options = [
    Option<"indexBitwidth", "index-bitwidth", "unsigned", /*default=*/"0",
           "Bit width of index and memref descriptor fields (0: the LLVM dialect's default)">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def QccExpandMath : Pass<"qcc-expand-math", "ModuleOp"> {
  let summary = "Expand transcendental math ops into polynomials (no libm calls)";
  let description = [{
    Generated objects may reference no C library symbol but memcpy and memset, so
    `math.exp`, `math.tanh` and friends become polynomial approximations in arith ops.
    `math.fma` is split into a multiply and an add so that targets without an FMA unit
    do not call `fmaf` (unless `keep-fma`, for targets that have the instruction).

    With `magic-rounding` (x86, which has no single instruction for "round half to even,
    then convert" that LLVM selects here: it emits VRNDSCALEPS and VCVTTPS2DQ), the
    saturating conversion every float requantization ends with,
    `fptosi(min(max(roundeven(x) + zp, lo), hi))` with integral constants (zp optional),
    becomes `bitcast(min(max(x, lo - zp), hi - zp) + 1.5 * 2^23) - (0x4B400000 - zp)`:
    clamping before rounding is exact for integral bounds, and adding 1.5 * 2^23 rounds
    to an integer half to even (the FPU's default mode) for |x| < 2^22, which the clamp
    guarantees (bounds beyond that are left alone). Two instructions fewer per vector.

    With `expand-roundeven` (the Cortex-M targets, where LLVM 19 selects a call of
    `roundevenf` for `math.roundeven`) any other f32 `math.roundeven(x)` becomes
    `|x| < 2^23 ? copysign((x + t) - t, x) : x` with `t = copysign(2^23, x)`: the add
    rounds to an integer, ties to even, in the FPU's default mode.
  }];
  let options = [
    Option<"magicRounding", "magic-rounding", "bool", /*default=*/"false",
           "Round saturating conversions by adding 1.5 * 2^23">,
    Option<"keepFma", "keep-fma", "bool", /*default=*/"false",
           "Keep math.fma (the target has fused multiply-add instructions)">,
    Option<"expandRoundEven", "expand-roundeven", "bool", /*default=*/"false",
           "Expand f32 math.roundeven into adds of copysign(2^23, x) (targets where LLVM "
           "would call roundevenf: the Cortex-M ones)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::vector::VectorDialect"];
}

def QccExportCAbi : Pass<"qcc-export-c-abi", "ModuleOp"> {
  let summary = "Emit the C entry point `NAME_run(inputs, outputs, arena)`";
  let description = [{
    Runs on the LLVM dialect. The entry function (attribute `qcc.entry`, bare-pointer
    calling convention: inputs, outputs, arena) is renamed `NAME_impl` with internal
    linkage and wrapped by

    ```c
    int NAME_run(const void *const inputs[], void *const outputs[], void *arena);
    ```

    which loads each tensor pointer from the two arrays and returns 0.
  }];
  let options = [
    Option<"name", "name", "std::string", /*default=*/"\"model\"",
           "C identifier prefix of the exported symbol">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}


#endif // QCC_CODEGEN_PASSES_TD
