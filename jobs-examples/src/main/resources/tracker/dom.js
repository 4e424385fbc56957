// The two DOM helpers both pages use (the JobTracker and the operators' page): loaded first, as a
// classic script, so that its constants are visible to the page's own script.
'use strict';

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v; else if (k === 'text') node.textContent = v; else node.setAttribute(k, v);
  }
  children.forEach((c) => node.append(c));
  return node;
};
