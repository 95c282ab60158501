/**
 * Renders a chart (a Vega-Lite spec from src/views/charts.ts) to PNG on the server: Vega-Lite
 * compiles it to Vega, Vega draws it as SVG with no canvas and no browser, and resvg turns the SVG
 * into pixels with the bundled Inter font (no system fonts, so every machine draws the same text).
 */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { CHART_FONT, type Chart } from '../views/charts.ts';

/** Pixels per point: charts are drawn twice as dense as their size, for sharp text on any screen. */
export const CHART_SCALE = 2;

const require = createRequire(import.meta.url);

/** Inter regular and bold, from the @expo-google-fonts/inter package (TrueType: resvg reads no WOFF). */
export const FONT_FILES = ['400Regular/Inter_400Regular.ttf', '700Bold/Inter_700Bold.ttf'].map((file) =>
  require.resolve(`@expo-google-fonts/inter/${file}`),
);

/** The chart as SVG text. */
export async function chartSvg(chart: Chart): Promise<string> {
  const view = new View(parse(compile(chart.spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The chart as PNG bytes, CHART_SCALE pixels per point. */
export async function renderChart(chart: Chart): Promise<Buffer> {
  const svg = await chartSvg(chart);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: CHART_SCALE },
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: CHART_FONT },
  });
  return resvg.render().asPng();
}
