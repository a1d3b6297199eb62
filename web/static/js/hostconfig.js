// Herald's Adaptive Cards host config: the look of cards in the stream, close
// to what Teams shows (light theme). Written for Herald from the published
// Teams values: spacing, sizes, the Teams palette.

const ink = '#242424';
const subtle = '#616161';

function foreground() {
  return {
    default: { default: ink, subtle },
    dark: { default: '#252424', subtle: '#484644' },
    light: { default: '#ffffff', subtle: '#f3f2f1' },
    accent: { default: '#5b5fc7', subtle: '#7f85f5' },
    good: { default: '#237b4b', subtle: '#2e9a5f' },
    warning: { default: '#835c00', subtle: '#a67400' },
    attention: { default: '#c4314b', subtle: '#d35d72' },
  };
}

export const hostConfig = {
  choiceSetInputValueSeparator: ',',
  supportsInteractivity: true,
  fontTypes: {
    default: {
      fontFamily: "'Segoe UI', system-ui, -apple-system, 'Helvetica Neue', Arial, sans-serif",
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 600 },
    },
    monospace: {
      fontFamily: "Consolas, 'Cascadia Mono', 'Courier New', monospace",
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 600 },
    },
  },
  spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: '#e0e0e0' },
  imageSizes: { small: 32, medium: 52, large: 100 },
  textStyles: {
    heading: { fontType: 'default', size: 'large', weight: 'bolder', color: 'default', isSubtle: false },
    columnHeader: { fontType: 'default', size: 'default', weight: 'bolder', color: 'default', isSubtle: false },
  },
  textBlock: { headingLevel: 3 },
  containerStyles: {
    default: { backgroundColor: '#ffffff', borderColor: '#e0e0e0', foregroundColors: foreground() },
    emphasis: { backgroundColor: '#f5f5f5', borderColor: '#d1d1d1', foregroundColors: foreground() },
    accent: { backgroundColor: '#e8ebfa', borderColor: '#7f85f5', foregroundColors: foreground() },
    good: { backgroundColor: '#e7f2da', borderColor: '#6bb700', foregroundColors: foreground() },
    attention: { backgroundColor: '#fdf3f4', borderColor: '#d13438', foregroundColors: foreground() },
    warning: { backgroundColor: '#fff9f5', borderColor: '#f7630c', foregroundColors: foreground() },
  },
  actions: {
    maxActions: 6,
    spacing: 'default',
    buttonSpacing: 8,
    showCard: { actionMode: 'inline', inlineTopMargin: 16, style: 'emphasis' },
    preExpandSingleShowCardAction: false,
    actionsOrientation: 'horizontal',
    actionAlignment: 'left',
    iconPlacement: 'leftOfTitle',
    iconSize: 16,
  },
  adaptiveCard: { allowCustomStyle: true },
  imageSet: { imageSize: 'medium', maxImageHeight: 100 },
  factSet: {
    title: { size: 'default', color: 'default', isSubtle: false, weight: 'bolder', wrap: true, maxWidth: 150 },
    value: { size: 'default', color: 'default', isSubtle: false, weight: 'default', wrap: true },
    spacing: 12,
  },
  media: { allowInlinePlayback: false },
  inputs: { label: { requiredInputs: { suffix: ' *' } } },
};
