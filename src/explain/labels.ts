/** The languages explanations and checks are written in. */
export type Lang = 'en' | 'ko';
export const LANGS: readonly Lang[] = ['en', 'ko'];

/** Every label of an explanation or a check, in English and in the seed note's Korean. */
export const LABELS = {
  en: {
    title: 'Forward and backward pass',
    setting: 'Setting',
    input: 'input',
    label: 'label',
    forward: 'Forward',
    backward: 'Backward',
    inputLayer: 'input layer',
    hiddenLayer: 'hidden layer',
    outputLayer: 'output layer',
    softmax: 'softmax',
    loss: 'cross-entropy loss',
    lossGradient: 'gradient of the loss (SoftmaxWithLoss.backward)',
    layerBackward: (layer: string) => `${layer}.backward`,
    gradients: 'Gradients',
    weightGradient: 'weight gradient',
    biasGradient: 'bias gradient',
    update: 'Weight update',
    learningRate: 'learning rate',
    lossAfter: 'loss after the update',
    before: 'before',
    batch: 'batch size',
    check: 'Check of a hand computation',
    step: 'step',
    status: 'status',
    claimed: 'claimed',
    correct: 'correct',
    fromYours: 'from your values',
    ok: 'ok',
    carried: 'carried',
    wrong: 'wrong',
    summary: (ok: number, carried: number, wrong: number) => `${ok} ok, ${carried} carried, ${wrong} wrong`,
  },
  ko: {
    title: '순전파와 역전파',
    setting: '설정',
    input: '입력',
    label: '정답 레이블',
    forward: '순전파',
    backward: '역전파',
    inputLayer: '입력층',
    hiddenLayer: '은닉층',
    outputLayer: '출력층',
    softmax: 'Softmax 변환',
    loss: '교차 엔트로피 손실',
    lossGradient: '손실의 기울기 (SoftmaxWithLoss.backward)',
    layerBackward: (layer: string) => `${layer}.backward 역전파`,
    gradients: '기울기',
    weightGradient: '가중치 기울기',
    biasGradient: '편향 기울기',
    update: '가중치 갱신',
    learningRate: '학습률',
    lossAfter: '갱신 후 손실',
    before: '갱신 전',
    batch: '배치 크기',
    check: '손계산 검토',
    step: '단계',
    status: '판정',
    claimed: '적은 값',
    correct: '정답',
    fromYours: '내 값에서 계산하면',
    ok: '맞음',
    carried: '이월된 오류',
    wrong: '틀림',
    summary: (ok: number, carried: number, wrong: number) => `맞음 ${ok}, 이월된 오류 ${carried}, 틀림 ${wrong}`,
  },
} as const;

export type Labels = (typeof LABELS)[Lang];

/** The heading of the k-th of `count` Affine layers: `input layer → hidden layer`, `hidden layer 1 → hidden layer 2`. */
export function layerHeading(k: number, count: number, lang: Lang): string {
  const l = LABELS[lang];
  const hidden = (i: number): string => (count > 2 ? `${l.hiddenLayer} ${i}` : l.hiddenLayer);
  const from = k === 1 ? l.inputLayer : hidden(k - 1);
  const to = k === count ? l.outputLayer : hidden(k);
  return `${from} → ${to}`;
}
