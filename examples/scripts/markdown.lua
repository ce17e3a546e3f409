-- A small Markdown to HTML renderer: headings, paragraphs, lists, code blocks, emphasis, links.
-- Renders a sample document and returns a summary of the HTML it produced.

local function escape_html(s)
  return (s:gsub('[&<>"]', { ['&'] = '&amp;', ['<'] = '&lt;', ['>'] = '&gt;', ['"'] = '&quot;' }))
end

local function inline(text)
  text = escape_html(text)
  -- Code spans first, so that their contents are not formatted.
  local spans = {}
  text = text:gsub('`([^`]+)`', function(code)
    spans[#spans + 1] = '<code>' .. code .. '</code>'
    return '\0' .. #spans .. '\0'
  end)
  text = text:gsub('%*%*(.-)%*%*', '<strong>%1</strong>')
  text = text:gsub('%*(.-)%*', '<em>%1</em>')
  text = text:gsub('%[(.-)%]%((.-)%)', '<a href="%2">%1</a>')
  text = text:gsub('%z(%d+)%z', function(i) return spans[tonumber(i)] end)
  return text
end

local Renderer = {}
Renderer.__index = Renderer

function Renderer.new()
  return setmetatable({ out = {}, paragraph = {}, list = nil, code = nil, headings = 0 }, Renderer)
end

function Renderer:emit(s)
  self.out[#self.out + 1] = s
end

function Renderer:flush_paragraph()
  if #self.paragraph > 0 then
    self:emit('<p>' .. inline(table.concat(self.paragraph, ' ')) .. '</p>')
    self.paragraph = {}
  end
end

function Renderer:close_list()
  if self.list then
    self:emit('</' .. self.list .. '>')
    self.list = nil
  end
end

function Renderer:line(line)
  if self.code then
    if line:match('^```') then
      self:emit('<pre><code class="' .. self.code .. '">' .. table.concat(self.code_lines, '\n') .. '</code></pre>')
      self.code, self.code_lines = nil, nil
    else
      self.code_lines[#self.code_lines + 1] = escape_html(line)
    end
    return
  end

  local fence = line:match('^```(%w*)')
  if fence then
    self:flush_paragraph()
    self:close_list()
    self.code, self.code_lines = fence ~= '' and fence or 'text', {}
    return
  end

  local hashes, title = line:match('^(#+)%s+(.+)$')
  if hashes and #hashes <= 6 then
    self:flush_paragraph()
    self:close_list()
    local slug = title:lower():gsub('[^%w]+', '-'):gsub('^-+', ''):gsub('-+$', '')
    self:emit(string.format('<h%d id="%s">%s</h%d>', #hashes, slug, inline(title), #hashes))
    self.headings = self.headings + 1
    return
  end

  local bullet = line:match('^%s*[-*]%s+(.+)$')
  local numbered = line:match('^%s*%d+%.%s+(.+)$')
  if bullet or numbered then
    self:flush_paragraph()
    local kind = bullet and 'ul' or 'ol'
    if self.list ~= kind then
      self:close_list()
      self:emit('<' .. kind .. '>')
      self.list = kind
    end
    self:emit('<li>' .. inline(bullet or numbered) .. '</li>')
    return
  end

  if line:match('^%s*$') then
    self:flush_paragraph()
    self:close_list()
    return
  end

  self:close_list()
  self.paragraph[#self.paragraph + 1] = line:match('^%s*(.-)%s*$')
end

function Renderer:finish()
  self:flush_paragraph()
  self:close_list()
  return table.concat(self.out, '\n')
end

local function render(markdown)
  local r = Renderer.new()
  for line in (markdown .. '\n'):gmatch('(.-)\r?\n') do
    r:line(line)
  end
  return r:finish(), r.headings
end

local document = [[
# bccache

Jinja2's *bytecode cache* for **any** engine: compile once, load the `code` at every start.

## Why

- Compiling is slow: the parser, the code generator, the *optimizer*.
- Loading is fast: one read, one checksum, one `undump`.
- Stale entries are misses: the key is the **sha1** of the name, the checksum the sha1 of the source.

## How

1. Get the bucket for a name and its source.
2. On a hit, turn the bytes back into code.
3. On a miss, compile, store, and run.

```lua
local loader = require("bccache")
print(loader.load("init.lua") < "fast")
```

See [the design](DESIGN.md) and [Jinja2's docs](https://jinja.palletsprojects.com/) for more.
]]

local pages, headings, bytes = 0, 0, 0
for copy = 1, 40 do
  local html, h = render(document:gsub('bccache', 'bccache ' .. copy))
  pages, headings, bytes = pages + 1, headings + h, bytes + #html
end
return string.format('%d pages, %d headings, %d bytes of HTML', pages, headings, bytes)
