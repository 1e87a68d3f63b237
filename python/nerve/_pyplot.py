"""matplotlib's names for ``from nerve import *``, imported on first use.

Brian2's star import goes through pylab, so a Brian2 script may use
pyplot's functions (``plot``, ``hlines``, ``axes``...), its classes
(``GridSpec``, ``Figure``...), ``rcParams``, ``plt``, ``mpl`` and a few names
of ``matplotlib.dates`` and ``matplotlib.mlab`` without importing them. The
lists below are the names Brian2 2.9.0's star import takes from each module.
Functions are forwarders and everything else a :class:`~nerve._lazy.Lazy`
stand-in, so ``import nerve`` does not import matplotlib.
"""

from __future__ import annotations

from nerve._lazy import Lazy, forward

_PYPLOT_FUNCTIONS = """
    acorr angle_spectrum annotate arrow autoscale autumn axes axhline axhspan axis
    axline axvline axvspan bar bar_label barbs barh bone box boxplot broken_barh cast
    cla clabel clf clim close cohere colorbar connect contour contourf cool
    copper csd cycler delaxes disconnect draw draw_all draw_if_interactive ecdf errorbar
    eventplot figaspect figimage figlegend fignum_exists figtext figure fill
    fill_between fill_betweenx findobj flag gca gcf gci get get_backend get_cmap
    get_current_fig_manager get_figlabels get_fignums get_plot_commands get_scale_names
    getp ginput gray grid grouped_bar hexbin hist hist2d hlines hot hsv imread imsave
    imshow inferno install_repl_displayhook interactive ioff ion isinteractive jet
    legend locator_params loglog magma magnitude_spectrum margins matshow minorticks_off
    minorticks_on new_figure_manager nipy_spectral overload pause pcolor pcolormesh
    phase_spectrum pie pie_label pink plasma plot polar prism psd quiver quiverkey rc
    rc_context rcdefaults rgrids savefig sca scatter sci semilogx semilogy set_cmap
    set_loglevel setp show specgram spring spy stackplot stairs stem step streamplot
    subplot subplot2grid subplot_mosaic subplot_tool subplots subplots_adjust summer
    suptitle switch_backend table text thetagrids tick_params ticklabel_format
    tight_layout title tricontour tricontourf tripcolor triplot twinx twiny
    uninstall_repl_displayhook violinplot viridis vlines waitforbuttonpress winter xcorr
    xkcd xlabel xlim xscale xticks ylabel ylim yscale yticks
"""
_PYPLOT_OBJECTS = """
    AbstractContextManager Annotation Arrow Artist AutoLocator AxLine Axes BackendFilter
    Button Circle Colorizer ColorizingArtist Colormap Enum ExitStack Figure FigureBase
    FigureCanvasBase FigureManagerBase FixedFormatter FixedLocator FormatStrFormatter
    Formatter FuncFormatter GridSpec IO IndexLocator Line2D LinearLocator Locator
    LogFormatter LogFormatterExponent LogFormatterMathtext LogLocator MaxNLocator
    MouseButton MultipleLocator Normalize NullFormatter NullLocator PolarAxes Polygon
    Rectangle ScalarFormatter Slider Subplot SubplotSpec Text TickHelper Widget
    annotations available_backends backend_registry color_sequences colormaps rcParams
    rcParamsDefault rcParamsOrig requested_backend
"""
_DATES_FUNCTIONS = """
    date2num datestr2num drange num2date
"""
_DATES_OBJECTS = """
    DateFormatter DateLocator DayLocator HourLocator MinuteLocator MonthLocator
    RRuleLocator SecondLocator WeekdayLocator YearLocator relativedelta rrule
    FR MO SA SU TH TU WE
"""
# dateutil's frequencies, as matplotlib.dates re-exports them
_FREQUENCIES = {"YEARLY": 0, "MONTHLY": 1, "WEEKLY": 2, "DAILY": 3, "HOURLY": 4,
                "MINUTELY": 5, "SECONDLY": 6}
_MLAB_FUNCTIONS = """
    detrend detrend_linear detrend_mean detrend_none window_hanning window_none
"""
_MODULES = {"plt": "matplotlib.pyplot", "mpl": "matplotlib", "matplotlib": "matplotlib",
            "mlab": "matplotlib.mlab", "cbook": "matplotlib.cbook",
            "rcsetup": "matplotlib.rcsetup", "style": "matplotlib.style"}


def _define() -> list[str]:
    namespace = globals()
    names: list[str] = []

    def add(name: str, value: object) -> None:
        namespace[name] = value
        names.append(name)

    for module, functions, objects in (
            ("matplotlib.pyplot", _PYPLOT_FUNCTIONS, _PYPLOT_OBJECTS),
            ("matplotlib.dates", _DATES_FUNCTIONS, _DATES_OBJECTS),
            ("matplotlib.mlab", _MLAB_FUNCTIONS, ""),
            ("matplotlib.cbook", "flatten", "silent_list")):
        for name in functions.split():
            add(name, forward(module, name))
        for name in objects.split():
            add(name, Lazy(module, name))
    add("TYPE_CHECKING", False)
    for name, value in _FREQUENCIES.items():
        add(name, value)
    for name, module in _MODULES.items():
        add(name, Lazy(module))
    return names


__all__ = _define()
