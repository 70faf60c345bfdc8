package api

import "html/template"

// pageHead is the shared head and style of the resume pages.
const pageHead = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>Errand</title><style>
body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}
label{display:block;margin:1rem 0 .25rem;font-weight:600}small{display:block;color:#555}
input[type=text],input[type=number],select,textarea{width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1.5rem;padding:.5rem 1.25rem}p.msg{white-space:pre-wrap;border-left:3px solid #888;padding-left:.75rem}
</style></head><body>`

var (
	formPage = template.Must(template.New("form").Parse(pageHead + `
<h1>Input requested</h1><p>Step <code>{{.Step}}</code> waits for your answer.</p>
<p class="msg">{{.Req.Message}}</p>
<form method="post" action="{{.Action}}">
{{range .Req.Fields}}<label for="f-{{.Name}}">{{.Name}}{{if .Required}} *{{end}}</label>
{{if eq .Type "boolean"}}<input type="hidden" name="{{.Name}}" value="false"><input type="checkbox" id="f-{{.Name}}" name="{{.Name}}" value="true">
{{else if .Enum}}<select id="f-{{.Name}}" name="{{.Name}}"{{if .Required}} required{{end}}>{{range .Enum}}<option>{{.}}</option>{{end}}</select>
{{else if eq .Type "integer"}}<input type="number" step="1" id="f-{{.Name}}" name="{{.Name}}"{{if .Required}} required{{end}}>
{{else if eq .Type "number"}}<input type="number" step="any" id="f-{{.Name}}" name="{{.Name}}"{{if .Required}} required{{end}}>
{{else if eq .Type "json"}}<textarea id="f-{{.Name}}" name="{{.Name}}" rows="4" placeholder="JSON"{{if .Required}} required{{end}}></textarea>
{{else}}<input type="text" id="f-{{.Name}}" name="{{.Name}}"{{if .Required}} required{{end}}>
{{end}}{{with .Description}}<small>{{.}}</small>{{end}}
{{end}}<button type="submit">Submit</button>
</form></body></html>`))
	donePage = template.Must(template.New("done").Parse(pageHead + `
<h1>Thank you</h1><p>Your answer to step <code>{{.Step}}</code> was recorded; the workflow continues.</p>
<p>This link cannot be used again.</p></body></html>`))
	errorPage = template.Must(template.New("error").Parse(pageHead + `
<h1>{{.Title}}</h1><p>{{.Detail}}</p><p><small>Error id: {{.ErrorID}}</small></p></body></html>`))
)
