import { LABELS, type Lang } from '../../src/explain/labels.js';

/** The page's own labels, in English and Korean; the explanation's come from the core's LABELS. */
const UI = {
  en: {
    explorerTitle: 'Backprop explorer',
    trainTitle: 'Train on MNIST',
    tagline: "The seed's network, Affine → Sigmoid → Affine → SoftmaxWithLoss: values flow forward above the arrows, gradients flow back below them.",
    graph: 'Computational graph',
    values: 'Values',
    valuesHelp: 'Edit any number: everything is recomputed at once.',
    loss: 'loss',
    lr: 'learning rate',
    sgdStep: 'SGD step',
    resetValues: 'Reset to the seed',
    lossHistory: 'loss after each step',
    stepThrough: 'Step through',
    stepHelp: 'Next / Previous, or the ← → keys.',
    previous: 'Previous',
    next: 'Next',
    checkTitle: 'Check my work',
    checkHelp: 'Type your values for any steps (rows separated by ;), then check them.',
    decimals: 'decimals',
    check: 'Check',
    loadSeed: "Load the seed note's values",
    clear: 'Clear',
    language: 'Language',
    start: 'Start',
    pause: 'Pause',
    resume: 'Resume',
    reset: 'Reset',
    hidden: 'hidden units',
    batchSize: 'batch size',
    epochs: 'epochs',
    loading: 'Loading MNIST',
    ready: 'MNIST loaded: 60,000 training and 10,000 test images.',
    kernelsWasm: 'WebAssembly SIMD kernels, float32',
    kernelsJs: 'plain JavaScript kernels, float64',
    threadCount: 'threads',
    iteration: 'iteration',
    epoch: 'epoch',
    trainAccuracy: 'train accuracy',
    testAccuracy: 'test accuracy',
    accuracy: 'accuracy',
    gradients: 'Gradients of the parameters',
    draw: 'Draw a digit',
    drawHelp: 'Draw with the mouse or a finger; the network predicts as you draw.',
    clearCanvas: 'Clear',
    prediction: 'prediction',
    explorerLink: 'Backprop explorer',
    trainLink: 'Train on MNIST',
  },
  ko: {
    explorerTitle: '역전파 탐색기',
    trainTitle: 'MNIST 학습',
    tagline: '씨앗 노트의 신경망 Affine → Sigmoid → Affine → SoftmaxWithLoss: 화살표 위로는 순전파의 값이, 아래로는 역전파의 기울기가 흐릅니다.',
    graph: '계산 그래프',
    values: '값',
    valuesHelp: '아무 숫자나 고치면 곧바로 다시 계산합니다.',
    loss: '손실',
    lr: '학습률',
    sgdStep: 'SGD 한 단계',
    resetValues: '씨앗 값으로 되돌리기',
    lossHistory: '단계마다의 손실',
    stepThrough: '단계별 보기',
    stepHelp: '다음 / 이전 버튼이나 ← → 키.',
    previous: '이전',
    next: '다음',
    checkTitle: '내 풀이 검토',
    checkHelp: '아무 단계에나 내 값을 적고 (행은 ;로 구분) 검토하세요.',
    decimals: '소수 자릿수',
    check: '검토',
    loadSeed: '씨앗 노트의 값 불러오기',
    clear: '지우기',
    language: '언어',
    start: '시작',
    pause: '일시정지',
    resume: '계속',
    reset: '초기화',
    hidden: '은닉층 뉴런 수',
    batchSize: '배치 크기',
    epochs: '에폭 수',
    loading: 'MNIST 불러오는 중',
    ready: 'MNIST 불러옴: 훈련 60,000장, 시험 10,000장.',
    kernelsWasm: 'WebAssembly SIMD 커널, float32',
    kernelsJs: '순수 JavaScript 커널, float64',
    threadCount: '스레드',
    iteration: '반복',
    epoch: '에폭',
    trainAccuracy: '훈련 정확도',
    testAccuracy: '시험 정확도',
    accuracy: '정확도',
    gradients: '매개변수의 기울기',
    draw: '숫자 그리기',
    drawHelp: '마우스나 손가락으로 그리면 그리는 동안 신경망이 예측합니다.',
    clearCanvas: '지우기',
    prediction: '예측',
    explorerLink: '역전파 탐색기',
    trainLink: 'MNIST 학습',
  },
} as const;

export type UiKey = keyof (typeof UI)['en'];

let lang: Lang = (localStorage.getItem('scratchnet.lang') as Lang | null) === 'ko' ? 'ko' : 'en';
const listeners: (() => void)[] = [];

export const currentLang = (): Lang => lang;
export const t = (key: UiKey): string => UI[lang][key];
export const labels = () => LABELS[lang];

/** Calls `render` now and whenever the language changes. */
export function onLanguage(render: () => void): void {
  listeners.push(render);
  render();
}

/** Fills every element with data-i18n="key" and wires the language switch. */
export function setupLanguage(): void {
  const apply = (): void => {
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n as UiKey);
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-lang]')) button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
  };
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-lang]')) {
    button.addEventListener('click', () => {
      lang = button.dataset.lang === 'ko' ? 'ko' : 'en';
      localStorage.setItem('scratchnet.lang', lang);
      apply();
      for (const f of listeners) f();
    });
  }
  apply();
}
