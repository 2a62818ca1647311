// Words of each script the generator writes with. Latin has many fi/fl/ff words (ligatures in
// serif fonts) and long words (hyphenated at line ends); the right-to-left scripts get numbers and
// Latin terms mixed in, the way real Arabic and Hebrew documents carry them.
import type { Random } from './random.js';

export type Script = 'latin' | 'arabic' | 'hebrew' | 'cjk';

const LATIN = (
  'the of and to in is that for it as with was on be by this are from at or an which have not has ' +
  'they their more can all were been one other its also these than into only some time such may new ' +
  'first field office flow effect efficient official difficult offer affluent find final profile ' +
  'figure definition reflect conflict fluid influence suffix affair sufficient staff traffic scaffold ' +
  'system process document pipeline reading order measure result section method analysis structure ' +
  'language number between against during without within around through because however therefore ' +
  'research development information management government performance understanding relationship ' +
  'environment international particular significant experimental organisation responsibility ' +
  'committee procedure evaluation requirement implementation characteristic distribution ' +
  'water light power market policy report region health energy model table value level point ' +
  'people public local future common simple strong small large early recent general central ' +
  'describe provide include increase consider support develop produce require suggest compare'
).split(' ');

const ARABIC = (
  'في من على إلى أن هذا هذه التي الذي كان كانت مع عن بين بعد قبل حيث كل بعض ' +
  'الدراسة البحث النظام الوثيقة القراءة الترتيب النتائج الطريقة التحليل البيانات اللغة العربية ' +
  'الحكومة المدينة الجامعة المعلومات التنمية الاقتصاد المجتمع الصحة التعليم الطاقة المياه السوق ' +
  'تقرير سنوي جديد كبير صغير مهم عام خاص أول آخر الأولى الثانية الوطنية الدولية ' +
  'يقدم يشمل يعتمد يوضح يحدد يستخدم تطوير تحسين إدارة قياس مراجعة تنفيذ متابعة'
).split(' ');

const HEBREW = (
  'של את על עם אל כי זה זו הוא היא הם גם לא כל בין אחרי לפני כאשר ' +
  'המחקר המערכת המסמך הקריאה הסדר התוצאות השיטה הניתוח הנתונים השפה העברית ' +
  'הממשלה העיר האוניברסיטה המידע הפיתוח הכלכלה החברה הבריאות החינוך האנרגיה המים השוק ' +
  'דוח שנתי חדש גדול קטן חשוב כללי מיוחד ראשון אחרון הלאומי הבינלאומי ' +
  'מציג כולל מבוסס מסביר קובע משתמש פיתוח שיפור ניהול מדידה בדיקה ביצוע מעקב'
).split(' ');

const CJK_WORDS = (
  '文档 解析 系统 页面 阅读 顺序 文本 表格 公式 图片 标题 段落 结果 方法 分析 数据 语言 中文 ' +
  '研究 发展 信息 管理 政府 城市 大学 经济 社会 健康 教育 能源 市场 报告 年度 新的 重要 ' +
  '我们 他们 这个 那些 可以 已经 通过 进行 提供 包括 使用 支持 需要 提高 实现 处理 识别 ' +
  '模型 训练 测试 评估 质量 速度 内存 服务 阶段 消息 队列 结构 内容 格式 输出 输入'
).split(' ');

/** Latin terms and numbers as they appear inside Arabic and Hebrew text. */
const EMBEDDED = ['PDF', 'ISO 9001', 'Unicode', 'OCR', 'GPU', 'API', 'NATS'];

function number(random: Random): string {
  switch (random.int(0, 3)) {
    case 0:
      return String(random.int(1990, 2030));
    case 1:
      return `${random.int(1, 99)}%`;
    case 2:
      return `${random.int(1, 40)}.${random.int(1, 9)}`;
    default:
      return String(random.int(2, 500));
  }
}

/** A run of words (CJK: of characters, no spaces), with numbers and embedded terms where the script has them. */
export function words(random: Random, script: Script, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (script === 'latin') out.push(random.pick(LATIN));
    else if (script === 'cjk') out.push(random.pick(CJK_WORDS));
    else {
      const roll = random.next();
      if (roll < 0.06) out.push(number(random));
      else if (roll < 0.1) out.push(random.pick(EMBEDDED));
      else out.push(random.pick(script === 'arabic' ? ARABIC : HEBREW));
    }
  }
  return out;
}

/** A sentence: capitalised (Latin), ended by the script's full stop. */
export function sentence(random: Random, script: Script, min = 6, max = 16): string {
  const ws = words(random, script, random.int(min, max));
  if (script === 'cjk') return `${ws.join('')}。`;
  const text = `${ws.join(' ')}.`;
  return script === 'latin' ? `${text.charAt(0).toUpperCase()}${text.slice(1)}` : text;
}

export function paragraph(random: Random, script: Script, sentences: number): string {
  const parts = Array.from({ length: sentences }, () => sentence(random, script));
  return parts.join(script === 'cjk' ? '' : ' ');
}

/** A short phrase (headings, list items): no full stop. */
export function phrase(random: Random, script: Script, min: number, max: number): string {
  const ws = words(random, script, random.int(min, max));
  if (script === 'cjk') return ws.join('');
  const text = ws.join(' ');
  return script === 'latin' ? `${text.charAt(0).toUpperCase()}${text.slice(1)}` : text;
}
