// Unicode math characters to LaTeX: Greek letters, operators, relations, arrows, blackboard bold.
// Mathematical alphanumerics (U+1D400..: 𝑥, 𝐀) become their plain letters through NFKC.

const SYMBOLS: Record<string, string> = {
  α: '\\alpha', β: '\\beta', γ: '\\gamma', δ: '\\delta', ε: '\\epsilon', ϵ: '\\epsilon', ζ: '\\zeta', η: '\\eta', θ: '\\theta', ϑ: '\\vartheta',
  ι: '\\iota', κ: '\\kappa', λ: '\\lambda', μ: '\\mu', ν: '\\nu', ξ: '\\xi', π: '\\pi', ϖ: '\\varpi', ρ: '\\rho', ϱ: '\\varrho', σ: '\\sigma',
  ς: '\\varsigma', τ: '\\tau', υ: '\\upsilon', φ: '\\phi', ϕ: '\\phi', χ: '\\chi', ψ: '\\psi', ω: '\\omega',
  Γ: '\\Gamma', Δ: '\\Delta', Θ: '\\Theta', Λ: '\\Lambda', Ξ: '\\Xi', Π: '\\Pi', Σ: '\\Sigma', Υ: '\\Upsilon', Φ: '\\Phi', Ψ: '\\Psi', Ω: '\\Omega',
  '∑': '\\sum', '∏': '\\prod', '∐': '\\coprod', '∫': '\\int', '∬': '\\iint', '∭': '\\iiint', '∮': '\\oint', '⋃': '\\bigcup', '⋂': '\\bigcap',
  '√': '\\sqrt', '∞': '\\infty', '∂': '\\partial', '∇': '\\nabla', '±': '\\pm', '∓': '\\mp', '×': '\\times', '÷': '\\div', '·': '\\cdot', '∙': '\\cdot',
  '⋅': '\\cdot', '∘': '\\circ', '⊗': '\\otimes', '⊕': '\\oplus', '∧': '\\wedge', '∨': '\\vee', '¬': '\\neg', '∪': '\\cup', '∩': '\\cap',
  '≤': '\\leq', '≥': '\\geq', '≦': '\\leqq', '≧': '\\geqq', '≪': '\\ll', '≫': '\\gg', '≠': '\\neq', '≈': '\\approx', '≡': '\\equiv', '∼': '\\sim',
  '≃': '\\simeq', '≅': '\\cong', '∝': '\\propto', '∈': '\\in', '∉': '\\notin', '∋': '\\ni', '⊂': '\\subset', '⊃': '\\supset', '⊆': '\\subseteq',
  '⊇': '\\supseteq', '∀': '\\forall', '∃': '\\exists', '∅': '\\emptyset', '→': '\\rightarrow', '←': '\\leftarrow', '↔': '\\leftrightarrow',
  '⇒': '\\Rightarrow', '⇐': '\\Leftarrow', '⇔': '\\Leftrightarrow', '↦': '\\mapsto', '↑': '\\uparrow', '↓': '\\downarrow', '…': '\\ldots',
  '⋯': '\\cdots', '⋮': '\\vdots', '⟨': '\\langle', '⟩': '\\rangle', '‖': '\\|', '∥': '\\parallel', '⊥': '\\perp', '∠': '\\angle', '°': '^{\\circ}',
  ℝ: '\\mathbb{R}', ℕ: '\\mathbb{N}', ℤ: '\\mathbb{Z}', ℚ: '\\mathbb{Q}', ℂ: '\\mathbb{C}', ℓ: '\\ell', ħ: '\\hbar', ℏ: '\\hbar', '′': "'", '″': "''",
  '−': '-', '–': '-', '∗': '*', '{': '\\{', '}': '\\}', '%': '\\%', '#': '\\#', '&': '\\&', _: '\\_', $: '\\$',
};

/** Big operators whose limits sit above and below them. */
export const BIG_OPERATORS = new Set(['\\sum', '\\prod', '\\coprod', '\\bigcup', '\\bigcap', '\\int', '\\oint', '\\iint', '\\iiint']);

/** One run's text as LaTeX tokens: a command stays apart from a following letter. */
export function toLatex(text: string): string {
  let out = '';
  for (const char of text) {
    const mapped = SYMBOLS[char] ?? char.normalize('NFKC');
    if (/^\s+$/.test(mapped)) continue;
    if (/\\[A-Za-z]+$/.test(out) && /^[A-Za-z]/.test(mapped)) out += ' ';
    out += mapped;
  }
  return out;
}
