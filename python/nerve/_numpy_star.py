"""numpy's names for ``from nerve import *``, as Brian2's star import gives them.

Brian2's star import goes through pylab, which gives numpy's namespace and
those of ``numpy.random`` (``rand``, ``randn``, ``randint``...),
``numpy.linalg`` and ``numpy.fft``, and a few modules (``np``, ``sys``,
``time``...). The lists below are the names Brian2 2.9.0's star import takes
from each module. Names nerve makes unit-aware (``exp``, ``mean``,
``arange``...) are defined in :mod:`nerve.units.numpy_names` and take
precedence. Objects of modules numpy has not imported yet (``numpy.random``,
``numpy.fft``, ``numpy.ma``...) are stand-ins imported on first use (see
:mod:`nerve._lazy`), so ``import nerve`` stays fast.
"""

from __future__ import annotations

import sys

import numpy

from nerve._lazy import Lazy, forward, resolve_now

_NUMPY = """
    absolute acos acosh add all allclose amax amin angle any append apply_along_axis
    apply_over_axes arctan2 argmax argmin argpartition argsort argwhere around array
    array2string array_equal array_equiv array_repr array_split array_str asanyarray
    asarray asarray_chkfinite ascontiguousarray asfortranarray asin asinh asmatrix
    astype atan atan2 atanh atleast_1d atleast_2d atleast_3d average bartlett base_repr
    binary_repr bincount bitwise_and bitwise_count bitwise_invert bitwise_left_shift
    bitwise_not bitwise_or bitwise_right_shift bitwise_xor blackman block bmat
    broadcast_arrays broadcast_shapes broadcast_to busday_count busday_offset can_cast
    cbrt ceil choose clip column_stack common_type compress concat concatenate conj
    conjugate convolve copy copysign copyto corrcoef correlate count_nonzero cov cumprod
    cumsum cumulative_prod cumulative_sum datetime_as_string datetime_data deg2rad
    degrees delete diag diag_indices diag_indices_from diagflat diff digitize divide
    divmod dsplit dstack ediff1d einsum einsum_path empty empty_like equal exp2
    expand_dims extract eye fabs fill_diagonal fix flatnonzero flip fliplr flipud
    float_power floor floor_divide fmax fmin fmod format_float_positional
    format_float_scientific frexp from_dlpack frombuffer fromfile fromfunction fromiter
    frompyfunc fromregex fromstring full full_like gcd genfromtxt geomspace get_include
    get_printoptions getbufsize geterr geterrcall gradient greater greater_equal hamming
    hanning heaviside histogram histogram2d histogram_bin_edges histogramdd hsplit
    hstack hypot i0 identity imag in1d indices info inner insert interp intersect1d
    invert is_busday isclose iscomplex iscomplexobj isdtype isfinite isfortran isin
    isinf isnan isnat isneginf isposinf isreal isrealobj isscalar issubdtype iterable
    ix_ kaiser kron lcm ldexp left_shift less less_equal lexsort load loadtxt log2
    logaddexp logaddexp2 logical_and logical_not logical_or logical_xor logspace
    mask_indices matvec maximum may_share_memory mean median meshgrid min_scalar_type
    minimum mintypecode mod modf moveaxis multiply nan_to_num nanargmax nanargmin
    nancumprod nancumsum nanmax nanmean nanmedian nanmin nanpercentile nanprod
    nanquantile nanstd nansum nanvar ndim negative nested_iters nextafter nonzero
    not_equal ones packbits pad partition percentile permute_dims piecewise place poly
    polyadd polyder polydiv polyfit polyint polymul polysub polyval positive
    printoptions prod promote_types put put_along_axis putmask quantile rad2deg radians
    ravel_multi_index real real_if_close reciprocal remainder repeat require reshape
    resize result_type right_shift rint roll rollaxis roots rot90 row_stack save savetxt
    savez savez_compressed searchsorted select set_printoptions setbufsize setdiff1d
    seterr seterrcall setxor1d shape shares_memory show_config show_runtime sign signbit
    sinc size sort sort_complex spacing split sqrt square squeeze stack std subtract sum
    swapaxes take take_along_axis tile transpose trapezoid trapz tri tril tril_indices
    tril_indices_from trim_zeros triu triu_indices triu_indices_from true_divide trunc
    typename union1d unique unique_all unique_counts unique_inverse unique_values
    unpackbits unravel_index unstack unwrap vander var vdot vecmat vsplit vstack zeros
    bool_ broadcast busdaycalendar byte bytes_ cdouble character clongdouble complex128
    complex256 complex64 complexfloating csingle datetime64 double dtype errstate finfo
    flatiter flexible float128 float16 float32 float64 floating generic half iinfo
    inexact int16 int32 int64 int8 int_ intc integer intp long longdouble longlong
    matrix memmap ndarray ndenumerate ndindex nditer number object_ poly1d recarray
    record short signedinteger single str_ timedelta64 ubyte ufunc uint uint16 uint32
    uint64 uint8 uintc uintp ulong ulonglong unsignedinteger ushort vectorize void
    False_ ScalarType True_ c_ e euler_gamma index_exp inf little_endian mgrid nan
    newaxis ogrid pi r_ s_ sctypeDict typecodes
"""
_RANDOM_FUNCTIONS = """
    beta binomial chisquare choice default_rng dirichlet exponential gamma geometric
    get_state gumbel hypergeometric laplace logistic lognormal logseries multinomial
    multivariate_normal negative_binomial noncentral_chisquare noncentral_f normal
    pareto permutation poisson power rand randint randn random random_integers
    random_sample ranf rayleigh sample set_state shuffle standard_cauchy
    standard_exponential standard_gamma standard_normal standard_t triangular uniform
    vonmises wald weibull zipf
"""
_RANDOM_CLASSES = """
    BitGenerator Generator MT19937 PCG64 PCG64DXSM Philox RandomState SFC64 SeedSequence
"""
_LINALG = """
    cholesky cond cross det eig eigh eigvals eigvalsh inv lstsq matmul matrix_norm
    matrix_power matrix_rank matrix_transpose multi_dot norm outer pinv qr slogdet solve
    svd svdvals tensordot tensorinv tensorsolve vecdot vector_norm
    LinAlgError
"""
_FFT = """
    fft fft2 fftfreq fftn fftshift hfft ifft ifft2 ifftn ifftshift ihfft irfft irfft2
    irfftn rfft rfft2 rfftfreq rfftn
"""
_MODULES = {"np": "numpy", "numpy": "numpy", "char": "numpy.char",
            "ctypeslib": "numpy.ctypeslib", "dtypes": "numpy.dtypes", "emath": "numpy.emath",
            "exceptions": "numpy.exceptions", "f2py": "numpy.f2py", "lib": "numpy.lib",
            "linalg": "numpy.linalg", "ma": "numpy.ma", "polynomial": "numpy.polynomial",
            "rec": "numpy.rec", "strings": "numpy.strings", "testing": "numpy.testing",
            "typing": "numpy.typing", "datetime": "datetime", "functools": "functools",
            "importlib": "importlib", "inspect": "inspect", "logging": "logging",
            "signal": "signal", "sys": "sys", "threading": "threading", "time": "time"}


def _in1d(ar1, ar2, assume_unique=False, invert=False, *, kind=None):
    """numpy's ``in1d`` (removed in numpy 2.4): ``isin`` on the flattened first array."""
    return numpy.isin(numpy.ravel(ar1), ar2, assume_unique=assume_unique, invert=invert,
                      kind=kind)


# Names Brian2's star import takes from numpy < 2.4 that newer numpy removed, with
# their replacements (trapz is trapezoid; in1d is isin on a flattened array).
_REMOVED = {"trapz": lambda: numpy.trapezoid, "in1d": lambda: _in1d}


def _define() -> list[str]:
    namespace = globals()
    names: list[str] = []

    def add(name: str, value: object) -> None:
        namespace[name] = value
        names.append(name)

    for name in _NUMPY.split():
        value = numpy.__dict__.get(name)
        if value is not None or name == "newaxis":
            add(name, value)
        elif hasattr(numpy, "__all__") and name in numpy.__all__:
            add(name, Lazy("numpy", name))  # numpy imports it on first access
        elif name in _REMOVED:
            add(name, _REMOVED[name]())
    for name in _RANDOM_FUNCTIONS.split():
        add(name, forward("numpy.random", name))
    for name in _RANDOM_CLASSES.split():
        add(name, Lazy("numpy.random", name))
    for name in _LINALG.split():
        add(name, resolve_now("numpy.linalg", name))
    for name in _FFT.split():
        value = resolve_now("numpy.fft", name)
        add(name, value if not isinstance(value, Lazy) else forward("numpy.fft", name))
    for name, module in _MODULES.items():
        add(name, sys.modules.get(module) or Lazy(module))
    return names


__all__ = _define()
