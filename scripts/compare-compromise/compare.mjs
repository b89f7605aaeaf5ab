// Scores the npm package compromise on fieldvault's residual-name
// evaluation set (redact/testdata/names), token by token, the way
// TestScanNamesEvaluation scores fieldvault's own scan: a name token is
// one inside a {p:…}, {l:…} or {o:…} span; a predicted name token is one
// inside a person, place or organisation compromise finds.
//
//   cd scripts/compare-compromise && npm install && node compare.mjs
import fs from 'node:fs'
import path from 'node:path'
import nlp from 'compromise'

const root = path.resolve(import.meta.dirname, '../../redact/testdata/names')

function parseGold(src) {
  let text = ''
  const spans = []
  const re = /\{([ploc]):([^}]*)\}/g
  let last = 0
  for (const m of src.matchAll(re)) {
    text += src.slice(last, m.index)
    const s = text.length
    text += m[2]
    spans.push({ s, e: text.length, kind: m[1] })
    last = m.index + m[0].length
  }
  text += src.slice(last)
  return { text, spans }
}

function tokens(text) {
  const out = []
  const re = /[\p{L}\p{N}\p{M}]+(?:['’-][\p{L}][\p{L}\p{N}\p{M}]*)*/gu
  for (const m of text.matchAll(re)) {
    let w = m[0]
    w = w.replace(/['’]s$/u, '')
    out.push({ s: m.index, e: m.index + w.length })
  }
  return out
}

const at = (spans, pos) => spans.find(x => x.s <= pos && pos < x.e)

function score(src) {
  const { text, spans } = parseGold(src)
  const doc = nlp(text)
  const pred = []
  for (const view of [doc.people(), doc.places(), doc.organizations()]) {
    for (const m of view.json({ offset: true })) {
      const o = m.offset
      pred.push({ s: o.start, e: o.start + o.length })
    }
  }
  let tp = 0, fp = 0, fn = 0
  for (const t of tokens(text)) {
    const g = at(spans, t.s)
    const isName = g && g.kind !== 'c'
    const p = !!at(pred, t.s)
    if (isName && p) tp++
    else if (p) fp++
    else if (isName) fn++
  }
  return { tp, fp, fn }
}

for (const split of ['dev', 'heldout']) {
  const sum = { tp: 0, fp: 0, fn: 0 }
  for (const f of fs.readdirSync(path.join(root, split)).filter(f => f.endsWith('.txt')).sort()) {
    const s = score(fs.readFileSync(path.join(root, split, f), 'utf8'))
    for (const k in sum) sum[k] += s[k]
  }
  const p = sum.tp / (sum.tp + sum.fp), r = sum.tp / (sum.tp + sum.fn)
  console.log(`compromise ${nlp.version}, ${split}: precision ${p.toFixed(3)} recall ${r.toFixed(3)} (tp ${sum.tp} fp ${sum.fp} fn ${sum.fn})`)
}
